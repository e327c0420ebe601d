# Live Sessions shell integration, given to bash as --rcfile. Loads your usual startup files
# (untouched), then adds invisible marks: OSC 133 around prompts and commands (C carries the
# command line, base64) and OSC 7 with the working directory. Your prompt looks the same.
[ -r /etc/bash.bashrc ] && . /etc/bash.bashrc
[ -r ~/.bashrc ] && . ~/.bashrc
__live_sessions_preexec() {
  local c
  c=$(HISTTIMEFORMAT= builtin history 1)
  [[ $c =~ ^\ *[0-9]+\*?\ +(.*)$ ]] && c=${BASH_REMATCH[1]}
  builtin printf '\e]133;C;cmd=%s\a' "$(builtin printf '%s' "$c" | base64 -w0 2>/dev/null)"
}
__live_sessions_precmd() {
  local ec=$?
  # D only after a command ran: a shell's first prompt (a nested one's too) and Enter on an
  # empty line end nothing
  [[ -n ${__live_sessions_ran-} ]] && builtin printf '\e]133;D;%s\a' "$ec"
  __live_sessions_ran=
  builtin printf '\e]7;file://%s%s\a\e]133;A\a' "${HOSTNAME:-localhost}" "$PWD"
  return $ec
}
PROMPT_COMMAND="__live_sessions_precmd${PROMPT_COMMAND:+; $PROMPT_COMMAND}"
# (the subscript is arithmetic: it sets the flag in this shell and expands to nothing)
PS0='${__live_sessions_none[__live_sessions_ran=1]-}$(__live_sessions_preexec)'"${PS0-}"
PS1="${PS1-}"'\[\e]133;B\a\]'
