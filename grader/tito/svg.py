"""Small SVG pictures of a milestone's result: loss curves, a 2-D decision boundary, a grid of small images.

Plain strings, no plotting library (matplotlib is not in the browser here): an SVG is a text
file of shapes, so a chart is a few lines of arithmetic that map data to pixel coordinates.
Show one in a notebook with IPython.display.SVG(text); save it as a .svg file to open anywhere.
"""

from html import escape

WIDTH, HEIGHT, MARGIN = 420, 300, 48
# Class colours: a light fill for the model's regions, a strong one for the data points.
REGION = ["#dbe8f7", "#fbe0c8", "#dff0d8", "#eadcf2"]
POINT = ["#1f5fa8", "#d9600b", "#2e8b3a", "#7b3fa0"]


def _svg(body, title, height=HEIGHT):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="11">\n'
            f'<rect width="{WIDTH}" height="{height}" fill="white"/>\n'
            f'<text x="{WIDTH / 2}" y="18" text-anchor="middle" font-size="13">{escape(title)}</text>\n'
            + "\n".join(body) + "\n</svg>\n")


def _scale(lo, hi, out_lo, out_hi):
    """A function mapping [lo, hi] linearly onto [out_lo, out_hi] (pixels); a flat range maps to the middle."""
    span = hi - lo
    if span == 0:
        return lambda v: (out_lo + out_hi) / 2
    return lambda v: out_lo + (v - lo) / span * (out_hi - out_lo)


def _frame(x_label, y_label, x_range, y_range):
    """Axes box, their labels, and the min/max value at each end of both axes."""
    left, right, top, bottom = MARGIN, WIDTH - 16, 30, HEIGHT - MARGIN + 8
    (x0, x1), (y0, y1) = x_range, y_range
    return [
        f'<rect x="{left}" y="{top}" width="{right - left}" height="{bottom - top}" fill="none" stroke="#888"/>',
        f'<text x="{(left + right) / 2}" y="{HEIGHT - 10}" text-anchor="middle">{escape(x_label)}</text>',
        f'<text x="14" y="{(top + bottom) / 2}" text-anchor="middle" transform="rotate(-90 14 {(top + bottom) / 2})">{escape(y_label)}</text>',
        f'<text x="{left}" y="{bottom + 14}" text-anchor="middle">{x0:.3g}</text>',
        f'<text x="{right}" y="{bottom + 14}" text-anchor="middle">{x1:.3g}</text>',
        f'<text x="{left - 4}" y="{bottom}" text-anchor="end">{y0:.3g}</text>',
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end">{y1:.3g}</text>',
    ], (left, right, top, bottom)


def line_chart(values, title="Training loss", x_label="step", y_label="loss"):
    """A line through `values` (e.g. the loss of each epoch), numbered 1, 2, ... left to right.

    `values` may also be {label: values}: one line per label, in its own colour, with a legend
    (e.g. a model and the baseline it is compared with).
    """
    series = values if isinstance(values, dict) else {"": values}
    series = {label: [float(v) for v in line] for label, line in series.items()}
    if not series or not all(series.values()):
        raise ValueError(f"line_chart needs at least one value in each line, got an empty list (line lengths {[len(v) for v in series.values()]})")
    every = [v for line in series.values() for v in line]
    lo, hi, longest = min(every), max(every), max(len(line) for line in series.values())
    frame, (left, right, top, bottom) = _frame(x_label, y_label, (1, longest), (lo, hi))
    x = _scale(1, max(longest, 2), left, right)
    y = _scale(lo, hi, bottom, top)  # pixel y grows downwards, so high values go to the top
    body = []
    for k, (label, line) in enumerate(series.items()):
        colour = POINT[k % len(POINT)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(line, start=1))
        body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        if label:  # the legend, top right inside the frame: a short stroke of the colour, then the label
            ly = top + 14 + 14 * k
            body.append(f'<line x1="{right - 110}" y1="{ly - 4}" x2="{right - 92}" y2="{ly - 4}" stroke="{colour}" stroke-width="2"/>'
                        f'<text x="{right - 88}" y="{ly}">{escape(str(label))}</text>')
    return _svg(frame + body, title)


def decision_boundary(xs, ys, grid, points, labels, title="Decision boundary"):
    """The plane coloured by the class the model predicts, with the data points on top.

    xs, ys: the grid's coordinates (ascending); grid[i][j]: the class predicted at (xs[j], ys[i]);
    points: [[x, y], ...] the data; labels: their true classes (small ints).
    """
    xs, ys = [float(v) for v in xs], [float(v) for v in ys]
    if len(grid) != len(ys) or any(len(row) != len(xs) for row in grid):
        raise ValueError(f"decision_boundary: grid must have {len(ys)} rows of {len(xs)} classes (one per y, x), "
                         f"got {len(grid)} rows of lengths {sorted({len(row) for row in grid})}")
    frame, (left, right, top, bottom) = _frame("x1", "x2", (xs[0], xs[-1]), (ys[0], ys[-1]))
    x, y = _scale(xs[0], xs[-1], left, right), _scale(ys[0], ys[-1], bottom, top)
    # Each grid value colours the cell around its point; a run of equal classes in a row is one rectangle.
    dx, dy = (right - left) / max(len(xs) - 1, 1), (bottom - top) / max(len(ys) - 1, 1)
    body = []
    for i, row in enumerate(grid):
        start = 0
        for j in range(1, len(row) + 1):
            if j == len(row) or row[j] != row[start]:
                x0, x1 = max(x(xs[start]) - dx / 2, left), min(x(xs[j - 1]) + dx / 2, right)
                y0, y1 = max(y(ys[i]) - dy / 2, top), min(y(ys[i]) + dy / 2, bottom)
                colour = REGION[int(row[start]) % len(REGION)]
                body.append(f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" fill="{colour}" shape-rendering="crispEdges"/>')  # no seams between rows
                start = j
    for (px, py), label in zip(points, labels):
        body.append(f'<circle cx="{x(float(px)):.1f}" cy="{y(float(py)):.1f}" r="2.5" fill="{POINT[int(label) % len(POINT)]}"/>')
    return _svg(body + frame, title)


def _shade(v):
    """A colour for v in [-1, 1]: white at 0, deepening to orange for +1 and to blue for -1."""
    r, g, b = (217, 96, 11) if v > 0 else (31, 95, 168)
    t = min(abs(v), 1.0)
    return "#" + "".join(f"{round(255 + (c - 255) * t):02x}" for c in (r, g, b))


def image_grid(images, title="Images", columns=None):
    """Small 2-D arrays (e.g. a CNN's learned filters) side by side, `columns` per row (default: up to 8).

    Each image is scaled by its own largest absolute value: white is 0, orange positive, blue
    negative, so a filter's pattern shows whatever its scale.
    """
    images = [[[float(v) for v in row] for row in image] for image in images]
    shapes = sorted({(len(image), len(row)) for image in images for row in image})  # (rows, columns), one per row
    if len(shapes) != 1 or 0 in shapes[0] or not all(images):
        raise ValueError(f"image_grid needs one or more 2-D images, all of the same (rows, columns) shape, got shapes {shapes}")
    (rows, cols), columns = shapes[0], columns or min(len(images), 8)
    gap, top = 6, 30
    cell = min((WIDTH - 2 * gap - gap * (columns - 1)) / (columns * cols), 24.0)  # one pixel's size
    lines = -(-len(images) // columns)
    body = []
    for k, image in enumerate(images):
        x0 = gap + (k % columns) * (cols * cell + gap)
        y0 = top + (k // columns) * (rows * cell + gap)
        scale = max(abs(v) for row in image for v in row) or 1.0
        for i, row in enumerate(image):
            for j, v in enumerate(row):
                body.append(f'<rect x="{x0 + j * cell:.1f}" y="{y0 + i * cell:.1f}" width="{cell:.1f}" height="{cell:.1f}" '
                            f'fill="{_shade(v / scale)}" shape-rendering="crispEdges"/>')
        body.append(f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{cols * cell:.1f}" height="{rows * cell:.1f}" fill="none" stroke="#888"/>')
    return _svg(body, title, height=round(top + lines * (rows * cell + gap) + gap))
