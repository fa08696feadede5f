#!/usr/bin/env bash
# Grade one shard of a class per Slurm array task (a thin wrapper over `grade --shard`); merge after.
#
#   jid=$(sbatch --parsable --array=1-8 scripts/slurm-grade.sh SUBMISSIONS PARTS --kit KIT)
#   sbatch --dependency=afterok:"$jid" --wrap "python -m reportkit merge PARTS/part-* --out REPORT --kit KIT"
#
# Array task K of N grades the learners whose id hashes to slice K (`--shard slurm` reads
# SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT) into PARTS/part-<task id>.
# Anything after PARTS goes to `grade` (--kit, --release, --timeout, --adjustments, …). The
# Python that runs the kit: REPORTKIT_PYTHON (default: python on PATH, e.g. the kit's activated venv).
#
#SBATCH --job-name=reportkit-grade
#SBATCH --cpus-per-task=2
#SBATCH --mem-per-cpu=2500M
#SBATCH --time=02:00:00
#SBATCH --output=slurm-grade-%A_%a.out
set -euo pipefail

if [ "$#" -lt 2 ]; then
    echo "usage: sbatch --array=1-N $0 SUBMISSIONS PARTS [grade options]" >&2
    exit 2
fi
submissions=$1
parts=$2
shift 2
: "${SLURM_ARRAY_TASK_ID:?not a Slurm array task: submit with sbatch --array=1-N}"

mkdir -p "$parts"
exec "${REPORTKIT_PYTHON:-python}" -m reportkit grade "$submissions" --out "$parts/part-$SLURM_ARRAY_TASK_ID" \
    --shard slurm --jobs "${SLURM_CPUS_PER_TASK:-1}" --quiet "$@"
