# fish completion for tally: a thin shim over `tally __complete`.
function __tally_complete
    set -l words (commandline -opc)[2..-1] (commandline -ct)
    tally __complete $words 2>/dev/null | string match -v -r '^:[0-9]+$'
end
complete -c tally -f -a '(__tally_complete)'
