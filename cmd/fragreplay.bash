# SPDX-License-Identifier: MIT
# bash completion for fragreplay: commands and options are read from the
# binary's own --help, so they cannot drift from it.
_fragreplay()
{
	local cur prev cmd opts
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	if [ "$COMP_CWORD" -eq 1 ]; then
		opts=$("$1" --help 2>/dev/null | awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}')
		COMPREPLY=($(compgen -W "$opts --help --version" -- "$cur"))
		return
	fi
	cmd=${COMP_WORDS[1]}
	case $prev in
	--variant|--a|--b)
		opts=$("$1" variants 2>/dev/null | awk '/^Presets/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on = 0}')
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return ;;
	--from)
		COMPREPLY=($(compgen -W "perf ftrace" -- "$cur"))
		return ;;
	--snapshot-from)
		COMPREPLY=($(compgen -W "bpf kpageflags" -- "$cur"))
		return ;;
	--start-snapshot|--end-snapshot)
		COMPREPLY=($(compgen -d -- "$cur"))
		return ;;
	esac
	if [[ $cur == -* ]]; then
		opts=$("$1" "$cmd" --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]*' | sort -u)
		COMPREPLY=($(compgen -W "$opts --version" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
complete -o filenames -F _fragreplay fragreplay
