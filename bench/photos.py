"""Photo pipeline: process_photo against one bare decode of the same 12 MP JPEG.

The goal (issue 22) is that making all renditions takes at most 1.5 times as long as
``Image.open(...).load()`` of the upload. Both are timed in the same run, interleaved, so
a busy machine slows both alike. Exit status 1 when the median ratio misses the goal.
"""

import argparse
import io
import os
import statistics
import time

from PIL import ExifTags, Image, ImageChops, ImageDraw, ImageFilter

from . import _summary

GOAL = 1.5
WIDTH, HEIGHT = 4000, 3000


def make_photo(width: int = WIDTH, height: int = HEIGHT, *, seed: int = 0) -> bytes:
    """A phone-like JPEG: gradients, shapes and sensor-like noise (so it is a few
    megabytes, not a trivially compressible one), EXIF orientation 6 and GPS tags.
    `seed` changes the shapes' colours (a different photo)."""
    ramp = Image.linear_gradient("L").resize((width, height))
    glow = Image.radial_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 30).filter(ImageFilter.GaussianBlur(0.6))
    im = Image.merge(
        "RGB",
        (
            ImageChops.add(ramp, noise, offset=-100),
            ImageChops.add(glow.transpose(Image.Transpose.ROTATE_180), noise, offset=-110),
            ImageChops.blend(ramp.transpose(Image.Transpose.FLIP_TOP_BOTTOM), noise, 0.5),
        ),
    )
    draw = ImageDraw.Draw(im)
    for i in range(40):
        x, y = i * 397 % width, i * 211 % height
        j = i + seed * 7
        draw.ellipse((x, y, x + 300, y + 200), fill=(j * 50 % 256, j * 80 % 256, j * 120 % 256))

    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # held upright: stored landscape, shown portrait
    exif[ExifTags.Base.Make] = "BenchPhone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", (60.0, 27.0, 4.2)
    gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = "E", (22.0, 16.0, 3.1)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def bare_decode(data: bytes) -> None:
    im = Image.open(io.BytesIO(data))
    im.load()


def _ms(seconds: list[float]) -> dict[str, float]:
    p90 = statistics.quantiles(seconds, n=10, method="inclusive")[-1]
    return {"median": round(statistics.median(seconds) * 1000, 1), "p90": round(p90 * 1000, 1)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench photos", description=__doc__)
    parser.add_argument("--rounds", type=int, default=15, help="timed rounds (default 15)")
    _summary.add_output_arguments(parser)
    args = parser.parse_args(argv)
    if args.rounds < 2:
        parser.error("--rounds must be at least 2")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kierratys.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()  # the pipeline's messages use gettext
    from listings.photos import process_photo

    data = make_photo()
    bare_decode(data)  # warm up: plugin imports, first allocations
    photo = process_photo(io.BytesIO(data))

    jobs = {
        "decode": lambda: bare_decode(data),
        "pipeline": lambda: process_photo(io.BytesIO(data)),
    }
    times = {name: [] for name in jobs}
    load_start = _summary.load_average()
    for round_ in range(args.rounds):
        for name in sorted(jobs, reverse=round_ % 2 == 1):  # alternate who goes first
            start = time.perf_counter()
            jobs[name]()
            times[name].append(time.perf_counter() - start)

    decode, pipeline = _ms(times["decode"]), _ms(times["pipeline"])
    ratio = round(statistics.median(times["pipeline"]) / statistics.median(times["decode"]), 2)
    result = {
        "benchmark": "photos",
        "rounds": args.rounds,
        "input": {"width": WIDTH, "height": HEIGHT, "bytes": len(data), "exif_orientation": 6},
        "outputs": {
            r.kind: {"width": r.width, "height": r.height, "bytes": len(r.content)}
            for r in (photo.large, photo.thumb)
        },
        "decode_ms": decode,
        "pipeline_ms": pipeline,
        "ratio": ratio,
        "load_average": {"start": load_start, "end": _summary.load_average()},
        "goals": [
            _summary.goal(
                "photo renditions / bare decode",
                ratio,
                GOAL,
                at_most=True,
                note=f"12 MP JPEG; process_photo {pipeline['median']} ms, "
                f"decode {decode['median']} ms (medians of {args.rounds})",
            )
        ],
    }
    _summary.emit(args, result, _print_table)
    return _summary.exit_status(result)


def _print_table(result: dict) -> None:
    decode, pipeline = result["decode_ms"], result["pipeline_ms"]
    sizes = ", ".join(f"{k} {v['width']}x{v['height']}" for k, v in result["outputs"].items())
    print(f"input    {WIDTH}x{HEIGHT} JPEG, {result['input']['bytes'] / 1e6:.1f} MB, EXIF 6")
    print(f"outputs  {sizes}")
    print(f"rounds   {result['rounds']}; load {result['load_average']['start']}\n")
    print(f"{'':<22}{'median ms':>10}{'p90 ms':>10}")
    print(f"{'bare decode':<22}{decode['median']:>10}{decode['p90']:>10}")
    print(f"{'process_photo':<22}{pipeline['median']:>10}{pipeline['p90']:>10}")
    print(f"\nratio (median pipeline / median decode) {result['ratio']:.2f}, goal <= {GOAL}")
