# bash completion for tally: a thin shim over `tally __complete`, which
# prints one candidate per line and a final ":<directive>" line
# (4: no file names). Install as /usr/share/bash-completion/completions/tally.
_tally() {
	local cur=${COMP_WORDS[COMP_CWORD]} out directive
	local IFS=$'\n'
	out=$(tally __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return
	directive=${out##*:}
	out=${out%:*}
	COMPREPLY=($(compgen -W "$out" -- "$cur"))
	if [ ${#COMPREPLY[@]} -eq 0 ] && [ "$directive" != 4 ]; then
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
complete -F _tally tally
