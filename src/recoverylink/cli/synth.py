"""``recoverylink synth``: build a synthetic England, or check one against published figures.

The generator and the check live in :mod:`recoverylink.synth`; they are imported
inside the command so that ``recoverylink --help`` stays fast.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.markup import escape

from recoverylink.cli.errors import ExitCode
from recoverylink.cli.progress import RichProgress
from recoverylink.cli.state import cli_state
from recoverylink.cli.synth_report import check_table, summary_table, verdict

ToleranceProfile = Literal["auto", "scale1", "small"]

_PARAM = re.compile(r"^([A-Za-z_][A-Za-z0-9_.]*)=(.+)$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")

HELP = """Build a synthetic England (people, treatment, offending, deaths and the
ground truth behind them), or with --check, compare one with published figures.

Build: recoverylink synth --scale 0.01 --seed 2006 --out demo-output/synth

Check: recoverylink synth --check demo-output/synth --tolerance-profile small
"""


def register(app: typer.Typer) -> None:
    app.command(
        "synth",
        help=HELP,
        short_help="Build a synthetic England, or check one against published figures.",
    )(synth)


def parse_params(items: list[str]) -> dict[str, object]:
    """Turn ``NAME=VALUE`` strings into overrides; numeric values become floats.

    >>> parse_params(["treatment_rate=0.25", "region=london"])
    {'treatment_rate': 0.25, 'region': 'london'}
    """
    params: dict[str, object] = {}
    for item in items:
        match = _PARAM.match(item.strip())
        if match is None:
            raise typer.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--param")
        name, value = match.group(1), match.group(2).strip()
        if name in params:
            raise typer.BadParameter(f"{name} is given more than once", param_hint="--param")
        params[name] = float(value) if _NUMBER.match(value) else value
    return params


def _positive(value: float | None) -> float | None:
    if value is not None and not value > 0:
        raise typer.BadParameter(f"must be more than 0, not {value}")
    return value


def synth(
    ctx: typer.Context,
    scale: Annotated[
        float | None,
        typer.Option(
            "--scale",
            callback=_positive,
            help="Size relative to England: 1.0 is full size, 0.01 a hundredth. "
            "Default: the synth.default_scale setting.",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            min=0,
            help="Random seed; the same seed and scale give the same files. "
            "Default: the synth.default_seed setting.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Folder to write; it must be new or empty unless --force. "
            "Default: synth/ in the paths.data_dir setting.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace what is already in --out.")
    ] = False,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            metavar="NAME=VALUE",
            help="Override one generator parameter (repeatable); numbers are read as numbers.",
            show_default=False,
        ),
    ] = None,
    check: Annotated[
        Path | None,
        typer.Option(
            "--check",
            metavar="DIR",
            exists=True,
            file_okay=False,
            help="Instead of building, compare the synthetic England in DIR with the "
            "published figures it is calibrated to; exit 1 if any is out of tolerance.",
            show_default=False,
        ),
    ] = None,
    tolerance_profile: Annotated[
        ToleranceProfile | None,
        typer.Option(
            "--tolerance-profile",
            help="With --check: tolerances for full scale (scale1), for small samples "
            "(small), or chosen from the data's scale (auto, the default).",
            show_default=False,
        ),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            metavar="DIR",
            help="With --check: load the folder into this new data directory and keep it "
            "(its truth_mart can then be studied); default: a temporary one, removed after.",
            show_default=False,
        ),
    ] = None,
) -> None:
    if check is not None:
        build_options = {"--scale": scale, "--seed": seed, "--out": out, "--param": param}
        clashes = [name for name, value in build_options.items() if value is not None]
        clashes += ["--force"] if force else []
        if clashes:
            raise typer.BadParameter(
                f"cannot be combined with {', '.join(clashes)}", param_hint="--check"
            )
        run_calibration_check(ctx, check, tolerance_profile or "auto", data_dir)
        return
    if tolerance_profile is not None:
        raise typer.BadParameter("only applies with --check", param_hint="--tolerance-profile")
    if data_dir is not None:
        raise typer.BadParameter("only applies with --check", param_hint="--data-dir")
    settings = cli_state(ctx).config()
    build(
        out=out if out is not None else settings.paths.data_dir / "synth",
        scale=scale if scale is not None else settings.synth.default_scale,
        seed=seed if seed is not None else settings.synth.default_seed,
        force=force,
        params=parse_params(param or []),
    )


def build(out: Path, scale: float, seed: int, force: bool, params: dict[str, object]) -> None:
    from recoverylink.synth import generate

    console = Console()
    where = escape(str(out))
    console.print(f"Building a synthetic England at scale {scale:g}, seed {seed}, in {where}")
    with RichProgress(console) as progress:
        summary = generate(
            out, scale=scale, seed=seed, force=force, progress=progress, params=params or None
        )
    console.print(summary_table(summary))
    console.print(f"Files written to {escape(str(out))}")
    truth = out / "truth"
    if truth.is_dir():
        console.print(f"Ground truth (for tests and calibration only) in {escape(str(truth))}")


def run_calibration_check(
    ctx: typer.Context, directory: Path, profile: str, data_dir: Path | None
) -> None:
    from recoverylink.synth.check import run_check

    if data_dir is not None and data_dir.exists() and any(data_dir.iterdir()):
        raise typer.BadParameter(f"{data_dir} is not empty", param_hint="--data-dir")
    settings = cli_state(ctx).config()
    console = Console()
    with RichProgress(console) as progress:
        report = run_check(
            directory, profile=profile, progress=progress, config=settings, data_dir=data_dir
        )
    console.print(check_table(report.rows, title=f"Calibration check of {escape(str(directory))}"))
    text, passed = verdict(
        report.rows, getattr(report, "scale", 1.0), getattr(report, "profile", profile)
    )
    console.print(text, highlight=False)
    if not passed:
        raise typer.Exit(ExitCode.FAILED)
