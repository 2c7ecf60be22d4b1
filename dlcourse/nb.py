"""The notebook tools' command line; each concern lives in its own module.

    python -m dlcourse.nb check [NOTEBOOK...]   report convention violations, exit 1 if any
    python -m dlcourse.nb fix [NOTEBOOK...]     strip outputs, normalise metadata, refresh badges
    python -m dlcourse.nb run [--profile P] [NOTEBOOK...]
                                                execute with papermill into build/, print summary
    python -m dlcourse.nb readme                regenerate the README's generated parts from build/
    python -m dlcourse.nb site                  build the course site in build/site

Conventions (COURSE.md §3): ``dlcourse.hygiene``; runner: ``dlcourse.runner``; README:
``dlcourse.readme``; site: ``dlcourse.site``. The names below are re-exported so that
``from dlcourse import nb; nb.problems(...)`` keeps working.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dlcourse import hygiene, readme, runner, site
from dlcourse.hygiene import (  # noqa: F401  (re-exported)
    CHECKED_OUTPUT_MARK,
    COLAB_PACKAGES,
    KERNELSPEC,
    NOTEBOOKS,
    OUTSIDE_STRATEGY_MARK,
    PARAMETERS_SOURCE,
    REPO_BRANCH,
    REPO_URL,
    ROOT,
    badges,
    compiles_outside_strategy,
    fix,
    install_cell_source,
    notebooks,
    problems,
)
from dlcourse.readme import README, TABLE_END, TABLE_START, chapter_table, update_readme  # noqa: F401
from dlcourse.runner import BUILD, brief, execute, run, summary_table  # noqa: F401
from dlcourse.site import render_site  # noqa: F401


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dlcourse.nb", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("check", "fix", "run", "readme", "site"))
    parser.add_argument("notebooks", nargs="*", help="default: every notebook in notebooks/")
    parser.add_argument("--profile", default="auto", help="smoke, laptop, full or auto")
    parser.add_argument("--build", default=str(runner.BUILD),
                        help="output folder (default: build/)")
    args = parser.parse_intermixed_args(argv)
    if args.command == "check":
        bad = 0
        for path in hygiene.notebooks(args.notebooks):
            for problem in hygiene.problems(path):
                print(f"{path.name}: {problem}")
                bad += 1
        print("notebooks clean" if not bad else f"{bad} problem(s)")
        return 1 if bad else 0
    if args.command == "fix":
        for path in hygiene.notebooks(args.notebooks):
            if hygiene.fix(path):
                print(f"fixed {path.name}")
        return 0
    if args.command == "run":
        return runner.run(args.notebooks, args.profile, Path(args.build))
    if args.command == "readme":
        readme.update_readme(Path(args.build))
        print(f"updated the chapter table in {readme.README.name}")
        return 0
    print(f"site written to {site.render_site(Path(args.build))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
