"""Colours and styles for stepgrad's pictures, readable with any colour vision.

The colours are the Okabe-Ito palette, chosen so that people with the common
colour-vision deficiencies can still tell them apart. Colour is never the only
cue: every distinction it makes is repeated by a shape, a border or a line
style, so a picture printed in grey still reads.

    kind of node   shape                    fill
    input          box                      light sky blue
    parameter      box with a double border light orange
    operation      ellipse                  light grey
    output         octagon                  light bluish green

    step state     border                   fill
    done           solid                    light sky blue
    current        thick                    light vermillion
    waiting        dashed, grey             white
"""

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}


def tint(colour, strength=0.3):
    """``colour`` mixed with white; light fills keep black text easy to read.

    >>> tint("#000000", 0.5)
    '#808080'
    """
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mixed = (round(255 - (255 - c) * strength) for c in (red, green, blue))
    return "#" + "".join(f"{c:02X}" for c in mixed)


FONT = "Helvetica,Arial,sans-serif"

# Graphviz attributes for each kind of node. The shape (and the double border of
# a parameter) tells the kinds apart without colour.
NODE_KINDS = {
    "input": {
        "shape": "box",
        "style": "filled",
        "fillcolor": tint(OKABE_ITO["sky_blue"]),
        "color": OKABE_ITO["blue"],
    },
    "parameter": {
        "shape": "box",
        "peripheries": "2",
        "style": "filled",
        "fillcolor": tint(OKABE_ITO["orange"]),
        "color": "#A36F00",  # a darker orange: a thin border needs more contrast
    },
    "op": {
        "shape": "ellipse",
        "style": "filled",
        "fillcolor": "#E8E8E8",
        "color": "#555555",
    },
    "output": {
        "shape": "octagon",
        "style": "filled",
        "fillcolor": tint(OKABE_ITO["bluish_green"]),
        "color": OKABE_ITO["bluish_green"],
        "penwidth": "2",
    },
}

KIND_NAMES = {
    "input": "input",
    "parameter": "parameter",
    "op": "operation",
    "output": "output",
}

# While stepping, the fill and border say where the walk is; the shapes above
# still say what kind of node each one is.
NODE_STATES = {
    "done": {
        "style": "filled",
        "fillcolor": tint(OKABE_ITO["sky_blue"]),
        "color": OKABE_ITO["blue"],
        "penwidth": "1.5",
    },
    "current": {
        "style": "filled,bold",
        "fillcolor": tint(OKABE_ITO["vermillion"]),
        "color": OKABE_ITO["vermillion"],
        "penwidth": "4",
    },
    "waiting": {
        "style": "filled,dashed",
        "fillcolor": "#FFFFFF",
        "color": "#8C8C8C",
        "fontcolor": "#404040",
        "penwidth": "1.5",
    },
}

EDGE_STATES = {
    "done": {"color": OKABE_ITO["blue"], "penwidth": "1.5"},
    "current": {"color": OKABE_ITO["vermillion"], "penwidth": "3", "style": "bold"},
    "waiting": {"color": "#8C8C8C", "style": "dashed"},
}

HIGHLIGHT = {"color": OKABE_ITO["vermillion"], "penwidth": "4"}

# Lines of a plot: a colour and a dash pattern each, so lines stay apart in grey.
PLOT_COLOURS = [
    OKABE_ITO[name]
    for name in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue")
]
PLOT_DASHES = ["-", "--", "-.", ":"]

# Points of the two classes of a binary classifier: colour and marker shape.
CLASS_STYLES = [
    {"color": OKABE_ITO["blue"], "marker": "o", "label": "class 0"},
    {"color": OKABE_ITO["orange"], "marker": "^", "label": "class 1"},
]
