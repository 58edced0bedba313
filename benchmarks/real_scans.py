"""OCR quality on real public scans with ground truth (tesseract-ocr/test, pinned commit).

    python -m benchmarks.real_scans fetch                          # from GitHub, sha256-checked
    python -m benchmarks.real_scans fetch --from-git-dir ~/src/test  # or from a local clone/mirror
    python -m benchmarks.real_scans run [--workers 2] [--keep /tmp/real]

`fetch` copies the pages listed in FILES, at COMMIT, into var/real-scans/<commit> (git-ignored;
the pages are not part of this repository, see benchmarks/QUALITY.md for their licences).
`run` reads them with the three engines of benchmarks.ocr_quality and prints the same tables,
per condition:

- unlv:       two UNLV/ISRI magazine pages (300 dpi, bitonal G4), as scanned
- unlv-rot:   the same pages turned 90, 180 and 270 degrees clockwise (lossless)
- unlv-skew:  the same pages tilted +3 and -3 degrees (greyscale rotation, re-thresholded)
- tess-test:  phototest.tif (200 dpi) and eurotext.tif (300 dpi, English, French, German, ...)
- tess-rot:   the repository's own rotated copies of phototest (left, right, 180, rotated TIFF)

Texts are normalised alike for the truth and every engine (`normalise_text`), and CER is
taken zone by zone (`ocr_quality.zone_cer`): the UNLV truth is a list of zones (columns,
headings, captions) in no particular reading order, and it leaves photographs out.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from benchmarks.ocr_quality import Doc, add_run_options, run_benchmark, work_folder

REPO = "tesseract-ocr/test"
COMMIT = "232ff181c66516116ec0e84c4963f70de15050fd"  # main, 2024-06-09; the files below date from 2018-2019
RAW_URL = "https://raw.githubusercontent.com/{repo}/{commit}/{path}"
CACHE = Path(__file__).resolve().parents[1] / "var" / "real-scans" / COMMIT[:12]
FILES = {  # path in the repository -> sha256
    "LICENSE": "c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4",
    "testing/8071_093.3B.tif": "d4f01cba19c99f8894d94a6d43eb8ed8013f8cf17fc08af9346bb9fb3697d452",
    "testing/8071_093.3B.txt": "29f290e47012a809f5139c796493b3c693e44e009dd8fb3dafe15420e8b4c7d5",
    "testing/8087_054.3B.tif": "dab6db0f4c32296f313c7f1e7e139b13d7c69be65c64d6016f85ea67ebca9102",
    "testing/8087_054.3B.txt": "9965c66f974f85c25e51041b47aceed287dd2302abd64d7e969af674dca83edb",
    "testing/phototest.tif": "d2241a1eb6d6cd2eb6544b8e228c2862c852b7467d16ed636caa32179b780692",
    "testing/phototest.txt": "76ef157baeb6ab275b7d90f310477a8060d5822aea2b2e05d480f459b016a6ed",
    "testing/phototestrot.tif": "b725a8aebbaab4b82a82b13619ecad4ddfc4a0b3b69dcdd93ce579d6e9f9d8e1",
    "testing/phototest-rotated-L.png": "f9c80afb481abc07fdc6ff013df3048ef31141e7b1b90ec90ccbee8c3eddbea7",
    "testing/phototest-rotated-R.png": "8b78f03821e57eec1c3ea3e15f1decb0cd1114322ffceaa1e27c4db91c3eb658",
    "testing/phototest-rotated-180.png": "9a2ceaab3685a36a2041ef49b5683db2bedb4ff82d87136be4b52afa030e8114",
    "testing/eurotext.tif": "7b9bd14aba7d5e30df686fbb6f71782a97f48f81b32dc201a1b75afe6de747d6",
    "testing/eurotext.txt": "26a43b5107b51054910b89f6fea67a03125b5737c0200e588121d4d132c7f3cb",
}
CONDITIONS = ("unlv", "unlv-rot", "unlv-skew", "tess-test", "tess-rot")
UNLV = ("8071_093.3B", "8087_054.3B")


@dataclass(frozen=True)
class RealPage:
    """One benchmark page: a fetched image, its truth, and what is done to it first."""

    condition: str
    image: str
    truth: str
    turn: int = 0  # degrees clockwise, lossless
    tilt: float = 0.0  # degrees anticlockwise, as a sheet fed askew

    @property
    def name(self) -> str:
        stem = self.image.rsplit(".", 1)[0].replace(".", "_")
        return f"{stem}-rot{self.turn}" if self.turn else f"{stem}-tilt{self.tilt:+.0f}" if self.tilt else stem


PAGES = (
    *(RealPage("unlv", f"{p}.tif", f"{p}.txt") for p in UNLV),
    *(RealPage("unlv-rot", f"{p}.tif", f"{p}.txt", turn=t) for p in UNLV for t in (90, 180, 270)),
    *(RealPage("unlv-skew", f"{p}.tif", f"{p}.txt", tilt=a) for p in UNLV for a in (3.0, -3.0)),
    RealPage("tess-test", "phototest.tif", "phototest.txt"),
    RealPage("tess-test", "eurotext.tif", "eurotext.txt"),
    *(RealPage("tess-rot", name, "phototest.txt") for name in
      ("phototestrot.tif", "phototest-rotated-L.png", "phototest-rotated-R.png", "phototest-rotated-180.png")),
)

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"',
                         "\u201e": '"', "\u2033": '"', "\u2010": "-", "\u2011": "-", "\u2013": "-", "\u2014": "-",
                         "~": None})  # `~` marks a character the UNLV transcribers could not type (é, č, a dash)
_LETTER_SPACED = re.compile(r"(?<!\S)(?:\S )+\S(?!\S)")


def normalise_text(text: str) -> str:
    """The same for truth and engines: NFKC (ligatures), plain quotes and dashes, no UNLV reject
    marks, letter-spaced headings joined ("d a t e l i n e" -> "dateline"); line breaks kept."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _LETTER_SPACED.sub(lambda m: m.group().replace(" ", "") if len(m.group()) >= 5 else m.group(), text)


# --- fetch ---------------------------------------------------------------------------


def fetch(cache: Path, git_dir: Path | None) -> None:
    """Copy every file of FILES at COMMIT into `cache`, checking each sha256; keep what is already right."""
    cache.mkdir(parents=True, exist_ok=True)
    for path, digest in FILES.items():
        target = cache / Path(path).name
        if target.is_file() and _sha256(target.read_bytes()) == digest:
            continue
        data = _read_git(git_dir, path) if git_dir else _download(path)
        if _sha256(data) != digest:
            raise SystemExit(f"{path}: sha256 {_sha256(data)} is not the pinned {digest}")
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(data)
        partial.replace(target)
        print(f"fetched {path} ({len(data)} bytes)", file=sys.stderr)
    print(f"{len(FILES)} files of {REPO}@{COMMIT[:12]} in {cache}", file=sys.stderr)


def _download(path: str) -> bytes:
    url = RAW_URL.format(repo=REPO, commit=COMMIT, path=path)
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return bytes(response.read())
    except (urllib.error.URLError, TimeoutError) as e:
        raise SystemExit(f"cannot download {url} ({e}); without network, clone or mirror "
                         f"https://github.com/{REPO} elsewhere and pass --from-git-dir") from e


def _read_git(git_dir: Path, path: str) -> bytes:
    """`path` at COMMIT from a clone (its work tree or .git) or a bare mirror."""
    if (git_dir / ".git").exists():
        git_dir = git_dir / ".git"
    proc = subprocess.run(["git", f"--git-dir={git_dir}", "show", f"{COMMIT}:{path}"],
                          capture_output=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{git_dir} has no {path} at {COMMIT[:12]}: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_cache(cache: Path) -> None:
    bad = [p for p, d in FILES.items() if not (cache / Path(p).name).is_file()
           or _sha256((cache / Path(p).name).read_bytes()) != d]
    if bad:
        raise SystemExit(f"{len(bad)} of {len(FILES)} files missing or changed in {cache}: "
                         "run `python -m benchmarks.real_scans fetch` first")


# --- pages -----------------------------------------------------------------------------


def prepare(cache: Path, out: Path) -> list[Doc]:
    """The benchmark's input files: fetched pages, turned or tilted where the condition says."""
    out.mkdir(parents=True, exist_ok=True)
    docs = []
    for page in PAGES:
        with Image.open(cache / page.image) as img:
            img.load()
        dpi = round(float(img.info.get("dpi", (300, 300))[0]))
        path = out / f"{page.name}{Path(page.image).suffix}"
        if page.turn:  # the sheet went through the scanner turned clockwise (as ocr_quality's rot90 ...)
            img = img.rotate(-page.turn, expand=True)
        elif page.tilt:
            img = _tilt(img, page.tilt)
        if img.mode in ("RGBA", "LA", "PA"):  # opaque alpha: ocrmypdf refuses it, the others ignore it
            img = img.convert("RGB")
        _save(img, path, dpi)
        truth = (cache / page.truth).read_text(encoding="utf-8")
        docs.append(Doc(path, page.condition, [truth], dpi, normalise=normalise_text, zoned=True))
    return docs


def _tilt(img: Image.Image, angle: float) -> Image.Image:
    """A sheet fed `angle` degrees askew: grey rotation, canvas grown, bitonal again if it was."""
    tilted = img.convert("L").rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)
    return tilted.point(lambda v: 255 if v >= 128 else 0).convert("1") if img.mode == "1" else tilted


def _save(img: Image.Image, path: Path, dpi: int) -> None:
    if path.suffix == ".tif":
        img.save(path, compression="group4" if img.mode == "1" else "tiff_lzw", dpi=(dpi, dpi))
    else:
        img.save(path, dpi=(dpi, dpi))


# --- command line ----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=CACHE, help=f"where fetched files live (default {CACHE})")
    commands = parser.add_subparsers(dest="command", required=True)
    get = commands.add_parser("fetch", help=f"download the pages of {REPO} at {COMMIT[:12]}")
    get.add_argument("--from-git-dir", type=Path, help=f"read them from a local clone or mirror of {REPO} instead")
    run = commands.add_parser("run", help="run the OCR quality benchmark on the fetched pages")
    run.add_argument("--conditions", default=",".join(CONDITIONS), help="comma-separated subset")
    add_run_options(run)
    args = parser.parse_args(argv)
    if args.command == "fetch":
        fetch(args.cache, args.from_git_dir)
        return 0
    check_cache(args.cache)
    with work_folder(args.keep) as work:
        docs = [d for d in prepare(args.cache, work / "inputs") if d.condition in args.conditions.split(",")]
        run_benchmark(docs, CONDITIONS, args, work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
