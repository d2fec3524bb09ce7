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
		-C | -o | -d | -h | -p | -U | --project-dir | --output-dir | --dbname | --host | --port | --username) ((i++)) ;;
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
	-d | --dbname | -h | --host | -p | --port | -U | --username | --keep | --keep-daily | --keep-weekly | --keep-monthly | --reason | --max-age | \
	--notify-url | --scratch-db | --lock-timeout | --compress-level | --jobs | --split-tables-larger-than | --wait | \
	--part-size | --upload-jobs | -n | --schema | -N | --exclude-schema | -t | --table | -T | --exclude-table | \
	--exclude-table-data)
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
	full) opts='--allow-broken-git --archive-only --data-only --dbname --dir-only --encrypt --exclude-schema --exclude-table --exclude-table-data --force --git-packs --host --jobs --keep-daily --keep-monthly --keep-weekly --key-file --metrics-file --no-git --notify-method --notify-url --part-size --port --require-db --s3-path-style --scan-history --schema --schema-only --strict-names --submodules --table --timezone --upload --upload-jobs --username --wait' ;;
	db) opts='--all-databases --compress-level --data-only --dbname --dry-run --encrypt --exclude-schema --exclude-table --exclude-table-data --force --globals --host --jobs --json --keep --keep-daily --keep-monthly --keep-weekly --key-file --list --lock-timeout --metrics-file --no-security-labels --notify-method --notify-url --owner --part-size --port --privileges --s3-path-style --schema --schema-only --serializable-deferrable --strict-names --table --timezone --upload --upload-jobs --user-mapping-secrets --username --verify-restore --wait' ;;
	list) opts='--json --keep-daily --keep-monthly --keep-weekly --remote --s3-path-style --timezone --wide' ;;
	restore) opts='--append --clean --create --data-only --dbname --globals --host --jobs --json --keep-going --key-file --list --no-owner --no-safety-dump --port --remote --s3-path-style --single-transaction --split-tables-larger-than --table --to --trusted --username --with-uncommitted' ;;
	verify) opts='--all --dbname --host --jobs --json --key-file --port --remote --restore --s3-path-style --scratch-db --split-tables-larger-than --trusted --username' ;;
	prune) opts='--dry-run --force --json --keep-daily --keep-monthly --keep-weekly --kind --metrics-file --notify-method --notify-url --remote --s3-path-style --timezone --wait' ;;
	pin) opts='--reason --wait' ;;
	unpin) opts='--wait' ;;
	status) opts='--json --kind --max-age --remote --s3-path-style' ;;
	push) opts='--part-size --s3-path-style --upload-jobs' ;;
	pull) opts='--force --s3-path-style --wait' ;;
	keygen) opts='--key-file' ;;
	diff) opts='--dbname --host --json --limit --port --rows --table --username' ;;
	recover) opts='--apply --dbname --file --host --port --table --username' ;;
	*) return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts $common" -- "$cur"))
		return
	fi
	case $cmd in
	restore | verify | pin | unpin | diff | recover)
		# backups: files and the directories of full backups, not their sidecar records;
		# and the newest of a kind by name
		local f
		[[ $cmd == diff || $cmd == recover ]] || COMPREPLY=($(compgen -W 'latest latest-db latest-full' -- "$cur"))
		while IFS= read -r f; do
			case $f in
			*.manifest.json | *.verified.json | *.pin.json | *.remote.json) ;;
			*) COMPREPLY+=("$f") ;;
			esac
		done < <(compgen -f -- "$cur") ;;
	keygen)
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
}
complete -o filenames -F _lotbackup lotbackup
