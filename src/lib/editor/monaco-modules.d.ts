// Monaco ships no types for its syntax-colouring registrations (imported for their side effect).
declare module 'monaco-editor/basic-languages/monaco.contribution.js';
