#!/usr/bin/env python3
"""Prints the `size` and `inseam` option arrays of public/catalogue/jeans.json.

The jeans catalogue has 227 waist/hip sizes and 25 inseams; typing them by hand
invites mistakes, so they come from this script and are pasted into the model
(JSON has no comments, so this is where the derivation is written down):

  size    waist 24 to 50 inches, each with the hips plausible for it:
            waists 24-34 in: hip = waist + 6 ... waist + 14 in  (9 hips each, 11 waists =  99)
            waists 35-50 in: hip = waist + 3 ... waist + 10 in  (8 hips each, 16 waists = 128)
          227 sizes in all, ids "w32-h40", with the garment's waist and hip in
          inches and in centimetres (properties waist_in, hip_in, waist_cm,
          hip_cm; 1 in = 2.54 cm, two decimals).
  inseam  26 to 38 inches in half-inch steps: 25 values, ids "30" or "30.5",
          properties inseam_in and inseam_cm.

Usage (python3, standard library only):

  python3 scripts/catalogue/gen_jeans_sizes.py size     # the size options, a JSON array
  python3 scripts/catalogue/gen_jeans_sizes.py inseam   # the inseam options, a JSON array
  python3 scripts/catalogue/gen_jeans_sizes.py          # both, as {"size": [...], "inseam": [...]}

Each option is printed on one line, indented to sit in the model's
`"options": [...]` of its attribute. Keep the description of the `jeans` model
in step with the derivation above when you change it.
"""

import json
import sys

CM_PER_INCH = 2.54
INDENT = " " * 8


def number(x):
    """A number as briefly as it can be written: 30 or 30.5."""
    return int(x) if float(x).is_integer() else x


def cm(inches):
    return number(round(inches * CM_PER_INCH, 2))


def hips_for(waist):
    """The hip sizes offered with a waist, in inches."""
    if waist <= 34:
        return range(waist + 6, waist + 15)  # 9 hips
    return range(waist + 3, waist + 11)  # 8 hips


def sizes():
    out = []
    for waist in range(24, 51):
        for hip in hips_for(waist):
            out.append({
                "id": f"w{waist}-h{hip}",
                "label": {"en": f"Waist {waist} in · hip {hip} in", "zh": f"腰围 {waist} 英寸 · 臀围 {hip} 英寸"},
                "properties": {"waist_in": waist, "hip_in": hip, "waist_cm": cm(waist), "hip_cm": cm(hip)},
            })
    assert len(out) == 227, len(out)
    return out


def inseams():
    out = []
    for half_inches in range(52, 77):
        inches = number(half_inches / 2)
        out.append({
            "id": str(inches),
            "label": {"en": f"{inches} in ({round(inches * CM_PER_INCH)} cm)", "zh": f"{inches} 英寸（{round(inches * CM_PER_INCH)} 厘米）"},
            "properties": {"inseam_in": inches, "inseam_cm": cm(inches)},
        })
    assert len(out) == 25, len(out)
    return out


def array(options):
    lines = [INDENT + json.dumps(o, ensure_ascii=False) for o in options]
    return "[\n" + ",\n".join(lines) + "\n" + INDENT[:-2] + "]"


def main(argv):
    which = argv[1] if len(argv) > 1 else None
    if which == "size":
        print(array(sizes()))
    elif which == "inseam":
        print(array(inseams()))
    elif which is None:
        print('{\n  "size": ' + array(sizes()) + ',\n  "inseam": ' + array(inseams()) + "\n}")
    else:
        sys.exit(f"usage: {argv[0]} [size|inseam]")


if __name__ == "__main__":
    main(sys.argv)
