# Live Sessions shell integration for zsh. The host points ZDOTDIR at a directory holding only this
# file, as .zshenv: it puts your ZDOTDIR back, loads your .zshenv (untouched on disk), and zsh then
# reads your .zprofile, .zshrc and .zlogin as always. Interactive shells get invisible marks:
# OSC 133 around prompts and commands (C carries the command line, base64) and OSC 7 with the
# working directory. Your prompt looks the same.
if [[ -n ${LIVE_SESSIONS_ZDOTDIR+x} ]]; then
  ZDOTDIR=$LIVE_SESSIONS_ZDOTDIR
else
  unset ZDOTDIR
fi
unset LIVE_SESSIONS_ZDOTDIR
[[ -r ${ZDOTDIR:-$HOME}/.zshenv ]] && builtin source ${ZDOTDIR:-$HOME}/.zshenv
if [[ -o interactive ]]; then
  __live_sessions_precmd() {
    local ec=$?
    # D only after a command ran: a shell's first prompt (a nested one's too) ends nothing
    [[ -n ${__live_sessions_ran-} ]] && builtin printf '\e]133;D;%s\a' "$ec"
    __live_sessions_ran=
    builtin printf '\e]7;file://%s%s\a\e]133;A\a' "${HOST:-localhost}" "$PWD"
    # B after the prompt, also when a theme set PS1 after us (zero width, so it looks the same)
    [[ $PS1 == *$'\e]133;B\a'* ]] || PS1=$PS1$'%{\e]133;B\a%}'
    return $ec
  }
  __live_sessions_preexec() {
    __live_sessions_ran=1
    builtin printf '\e]133;C;cmd=%s\a' "$(builtin printf '%s' "$1" | base64 -w0 2>/dev/null)"
  }
  # first, so $? is still the command's status when we read it
  typeset -ga precmd_functions preexec_functions
  precmd_functions=(__live_sessions_precmd $precmd_functions)
  preexec_functions=(__live_sessions_preexec $preexec_functions)
fi
