import { describe, expect, it } from 'vitest';
import { cssString, cursorStyles, safeColor } from './cursor-style.ts';

describe('remote cursor styles', () => {
  it('accepts our colours only and escapes names so they cannot end the CSS string', () => {
    expect(safeColor('hsl(120 70% 60%)')).toBe('hsl(120 70% 60%)');
    expect(safeColor('#fff')).toBe('#fff');
    expect(safeColor('red;}body{display:none')).toBe('#8b96a5');
    expect(cssString('Ada L.')).toBe('"Ada L."');
    const evil = cssString('"}body{display:none}\n');
    expect(evil.slice(1, -1)).not.toMatch(/["{}\n]/);
    expect(cursorStyles([{ id: 7, name: 'Bo', color: 'hsl(1 70% 60%)' }])).toContain('.ls-head-7::after{content:"Bo";background:hsl(1 70% 60%)}');
  });
});
