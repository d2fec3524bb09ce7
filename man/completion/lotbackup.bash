# bash completion for lotbackup(1): commands, each command's options, and
# the values that can be guessed (directories, backup files, kinds, time zones).
# Installed by `make install` as share/bash-completion/completions/lotbackup;
# to try it: source man/completion/lotbackup.bash
# tests/integration/170-examples.sh keeps it in step with `lotbackup --help`.

_lotbackup()
{
	local cur prev cmd i opts
	local commands='full db list restore verify prune pin unpin status push pull keygen diff recover'
	local common='--project-dir --output-dir --quiet --verbose --help'

	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}

	# The command: the first word that is not an option or an option's value.
	cmd=''
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-C | -o | --project-dir | --output-dir) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done

	case $prev in
	-C | -o | --project-dir | --output-dir | --to)
		COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--key-file)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--kind)
		COMPREPLY=($(compgen -W 'db full' -- "$cur")); return ;;
	--notify-method)
		COMPREPLY=($(compgen -W 'get post' -- "$cur")); return ;;
	--timezone)
		COMPREPLY=($(cd /usr/share/zoneinfo 2>/dev/null && compgen -f -- "$cur")); return ;;
	-d | --dbname | --keep | --keep-daily | --keep-weekly | --keep-monthly | --reason | --max-age | \
	--notify-url | --scratch-db | --lock-timeout | --compress-level | --jobs | --split-tables-larger-than | --wait | \
	--part-size | --upload-jobs)
		return ;;	# a value only the user knows
	esac

	case $cmd in
	'')
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$common --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return ;;
	full) opts='--allow-broken-git --archive-only --dbname --dir-only --encrypt --force --git-packs --jobs --keep-daily --keep-monthly --keep-weekly --key-file --no-git --notify-method --notify-url --part-size --require-db --s3-path-style --submodules --timezone --upload --upload-jobs --wait' ;;
	db) opts='--compress-level --dbname --dry-run --encrypt --force --jobs --json --keep --keep-daily --keep-monthly --keep-weekly --key-file --list --lock-timeout --notify-method --notify-url --owner --part-size --privileges --s3-path-style --serializable-deferrable --timezone --upload --upload-jobs --wait' ;;
	list) opts='--json --keep-daily --keep-monthly --keep-weekly --remote --s3-path-style --timezone' ;;
	restore) opts='--clean --create --dbname --jobs --keep-going --key-file --list --no-safety-dump --remote --s3-path-style --single-transaction --split-tables-larger-than --table --data-only --append --to --with-uncommitted' ;;
	verify) opts='--all --dbname --jobs --json --key-file --remote --restore --s3-path-style --scratch-db' ;;
	prune) opts='--dry-run --force --keep-daily --keep-monthly --keep-weekly --kind --notify-method --notify-url --remote --s3-path-style --timezone --wait' ;;
	pin) opts='--reason --wait' ;;
	unpin) opts='--wait' ;;
	status) opts='--json --kind --max-age --remote --s3-path-style' ;;
	push) opts='--part-size --s3-path-style --upload-jobs' ;;
	pull) opts='--s3-path-style --wait' ;;
	keygen) opts='--key-file' ;;
	diff) opts='--dbname --json --limit --rows --table' ;;
	recover) opts='--apply --dbname --file --table' ;;
	*) return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts $common" -- "$cur"))
		return
	fi
	case $cmd in
	restore | verify | pin | unpin | keygen | diff | recover)
		# backups: files and the directories of full backups
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
}
complete -o filenames -F _lotbackup lotbackup
