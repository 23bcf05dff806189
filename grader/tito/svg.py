"""Small SVG pictures: a milestone's loss curves, 2-D decision boundary and image grids; the
modules' explanations (arrays side by side with marked cells, a computation graph, a function's
curve, paths in the plane, bars).

Plain strings, no plotting library (matplotlib is not in the browser here): an SVG is a text
file of shapes, so a chart is a few lines of arithmetic that map data to pixel coordinates.
Show one in a notebook with IPython.display.SVG(text); save it as a .svg file to open anywhere.
"""

from html import escape

WIDTH, HEIGHT, MARGIN = 420, 300, 48
# Class colours: a light fill for the model's regions, a strong one for the data points.
REGION = ["#dbe8f7", "#fbe0c8", "#dff0d8", "#eadcf2"]
POINT = ["#1f5fa8", "#d9600b", "#2e8b3a", "#7b3fa0"]


def _svg(body, title, height=HEIGHT, width=WIDTH):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">\n'
            f'<rect width="{width}" height="{height}" fill="white"/>\n'
            f'<text x="{width / 2}" y="18" text-anchor="middle" font-size="13">{escape(title)}</text>\n'
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


def line_chart(values, title="Training loss", x_label="step", y_label="loss", xs=None):
    """A line through `values` (e.g. the loss of each epoch), numbered 1, 2, ... left to right,
    or at the x positions `xs` (ascending, one per value: a function's curve, e.g. ReLU over [-4, 4]).

    `values` may also be {label: values}: one line per label, in its own colour, with a legend
    (e.g. a model and the baseline it is compared with).
    """
    series = values if isinstance(values, dict) else {"": values}
    series = {label: [float(v) for v in line] for label, line in series.items()}
    if not series or not all(series.values()):
        raise ValueError(f"line_chart needs at least one value in each line, got an empty list (line lengths {[len(v) for v in series.values()]})")
    every = [v for line in series.values() for v in line]
    lo, hi, longest = min(every), max(every), max(len(line) for line in series.values())
    if xs is None:
        xs = list(range(1, longest + 1))
    xs = [float(v) for v in xs]
    if len(xs) < longest:
        raise ValueError(f"line_chart: {len(xs)} x positions for lines of up to {longest} values")
    frame, (left, right, top, bottom) = _frame(x_label, y_label, (xs[0], xs[longest - 1]), (lo, hi))
    x = _scale(xs[0], xs[max(longest - 1, 1)] if len(xs) > 1 else xs[0] + 1, left, right)
    y = _scale(lo, hi, bottom, top)  # pixel y grows downwards, so high values go to the top
    body = []
    for k, (label, line) in enumerate(series.items()):
        colour = POINT[k % len(POINT)]
        points = " ".join(f"{x(xs[i]):.1f},{y(v):.1f}" for i, v in enumerate(line))
        body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        if label:  # the legend, top right inside the frame: a short stroke of the colour, then the label
            ly = top + 14 + 14 * k
            body.append(f'<line x1="{right - 110}" y1="{ly - 4}" x2="{right - 92}" y2="{ly - 4}" stroke="{colour}" stroke-width="2"/>'
                        f'<text x="{right - 88}" y="{ly}">{escape(str(label))}</text>')
    return _svg(frame + body, title)


def paths(lines, title, x_label="x", y_label="y", background=()):
    """Paths in the plane, e.g. where each optimizer took a point on a loss surface: lines is
    {label: [(x, y), ...]}, one colour each with a legend, a ring at the start and a dot at the end.
    background: more [(x, y), ...] lines drawn in light grey under them (e.g. the surface's contours)."""
    lines = {label: [(float(px), float(py)) for px, py in line] for label, line in lines.items()}
    background = [[(float(px), float(py)) for px, py in line] for line in background]
    every = [point for line in [*lines.values(), *background] for point in line]
    if not lines or not all(lines.values()):
        raise ValueError(f"paths needs at least one point in each path, got path lengths {[len(v) for v in lines.values()]}")
    (x0, x1), (y0, y1) = [(min(v), max(v)) for v in zip(*every)]
    frame, (left, right, top, bottom) = _frame(x_label, y_label, (x0, x1), (y0, y1))
    x, y = _scale(x0, x1, left, right), _scale(y0, y1, bottom, top)
    body = [f'<polyline points="{" ".join(f"{x(px):.1f},{y(py):.1f}" for px, py in line)}" fill="none" stroke="#cccccc"/>'
            for line in background]
    for k, (label, line) in enumerate(lines.items()):
        colour = POINT[k % len(POINT)]
        points = " ".join(f"{x(px):.1f},{y(py):.1f}" for px, py in line)
        (sx, sy), (ex, ey) = line[0], line[-1]
        ly = top + 14 + 14 * k
        body += [f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.5"/>',
                 f'<circle cx="{x(sx):.1f}" cy="{y(sy):.1f}" r="4" fill="none" stroke="{colour}"/>',
                 f'<circle cx="{x(ex):.1f}" cy="{y(ey):.1f}" r="3" fill="{colour}"/>',
                 f'<line x1="{right - 110}" y1="{ly - 4}" x2="{right - 92}" y2="{ly - 4}" stroke="{colour}" stroke-width="2"/>'
                 f'<text x="{right - 88}" y="{ly}">{escape(str(label))}</text>']
    return _svg(frame + body, title)


def bars(values, labels, title, y_label=""):
    """One bar per value (e.g. the probabilities a softmax gives), its label under it and its
    value above it; the bars start at 0 (negative values hang below it)."""
    values = [float(v) for v in values]
    if not values or len(labels) != len(values):
        raise ValueError(f"bars needs one label per value, got {len(values)} values and {len(labels)} labels")
    lo, hi = min(0.0, *values), max(0.0, *values)
    frame, (left, right, top, bottom) = _frame("", y_label, (0, 0), (lo, hi))
    frame = [frame[0], frame[2], frame[5], frame[6]]  # no x axis numbers: the bars are labelled
    y = _scale(lo, hi, bottom, top + 14)  # room above the tallest bar for its value
    slot = (right - left) / len(values)
    body = []
    for k, (value, label) in enumerate(zip(values, labels)):
        bx, zero, end = left + k * slot + slot * 0.2, y(0.0), y(value)
        body += [f'<rect x="{bx:.1f}" y="{min(zero, end):.1f}" width="{slot * 0.6:.1f}" height="{abs(zero - end):.1f}" fill="{POINT[0]}"/>',
                 f'<text x="{bx + slot * 0.3:.1f}" y="{min(zero, end) - 4:.1f}" text-anchor="middle">{_number(value)}</text>',
                 f'<text x="{bx + slot * 0.3:.1f}" y="{bottom + 14}" text-anchor="middle">{escape(str(label))}</text>']
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


# --- pictures that explain: arrays side by side, a computation graph ---------------------------

CELL_W, CELL_H = 34, 22
MARK, FADE = "#f6c27a", "#eeeeee"  # a cell the picture is about; a copy broadcasting makes


def arrays(panels, title):
    """Arrays side by side with marked cells, e.g. `A @ B = C` with a row of A, a column of B and
    their product in C marked. Each panel is an operator (a string like "@" or "=") or a dict:
    {"label": "A (2, 3)", "values": a 1-D or 2-D list, "marked": {(i, j), ...}, "faded": {(i, j), ...}}
    (faded: cells that are not really there, e.g. the rows broadcasting repeats)."""
    grids = [p if isinstance(p, str) else dict(p, values=[v if isinstance(v, list) else [v] for v in p["values"]])
             if p["values"] and isinstance(p["values"][0], list) else dict(p, values=[list(p["values"])]) for p in panels]
    tallest = max(len(g["values"]) for g in grids if not isinstance(g, str))
    middle = 44 + tallest * CELL_H / 2
    body, x = [], 16
    for grid in grids:
        if isinstance(grid, str):
            body.append(f'<text x="{x + 14}" y="{middle + 5}" text-anchor="middle" font-size="16">{escape(grid)}</text>')
            x += 28
            continue
        rows, columns = len(grid["values"]), max(len(row) for row in grid["values"])
        top, label = middle - rows * CELL_H / 2, grid.get("label", "")
        x += max(0, len(label) * 6 - columns * CELL_W) / 2  # room for a label wider than the cells
        body.append(f'<text x="{x + columns * CELL_W / 2}" y="{top - 6}" text-anchor="middle">{escape(label)}</text>')
        for i, row in enumerate(grid["values"]):
            for j, value in enumerate(row):
                fill = MARK if (i, j) in grid.get("marked", ()) else FADE if (i, j) in grid.get("faded", ()) else "white"
                colour = "#999" if (i, j) in grid.get("faded", ()) else "black"
                cx, cy = x + j * CELL_W, top + i * CELL_H
                body.append(f'<rect x="{cx}" y="{cy}" width="{CELL_W}" height="{CELL_H}" fill="{fill}" stroke="#888"/>')
                body.append(f'<text x="{cx + CELL_W / 2}" y="{cy + 15}" text-anchor="middle" fill="{colour}">{_number(value)}</text>')
        x += columns * CELL_W + 8 + max(0, len(label) * 6 - columns * CELL_W) / 2
    return _svg(body, title, height=int(middle + tallest * CELL_H / 2 + 16), width=int(max(x + 8, len(title) * 7 + 32)))


def _number(value):
    return escape(f"{float(value):.3g}") if isinstance(value, (int, float)) or hasattr(value, "__float__") else escape(str(value))


def graph(nodes, edges, title):
    """A computation graph drawn left to right. nodes: {id: (column, [text lines])}, column 0 for
    the inputs; edges: [(from id, to id), ...], drawn as arrows."""
    box_w, box_h, gap_x, gap_y = 160, 16 + 14 * max(len(lines) for _, lines in nodes.values()), 44, 16
    columns = {}
    for node, (column, _) in nodes.items():
        columns.setdefault(column, []).append(node)
    where = {}
    for column, members in columns.items():
        for row, node in enumerate(members):
            where[node] = (16 + column * (box_w + gap_x), 34 + row * (box_h + gap_y))
    body = ['<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto">'
            '<path d="M0,0 L10,5 L0,10 z" fill="#666"/></marker></defs>']
    for start, end in edges:
        (x0, y0), (x1, y1) = where[start], where[end]
        body.append(f'<line x1="{x0 + box_w}" y1="{y0 + box_h / 2}" x2="{x1}" y2="{y1 + box_h / 2}" stroke="#666" marker-end="url(#arrow)"/>')
    for node, (x, y) in where.items():
        lines = nodes[node][1]
        body.append(f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="6" fill="{MARK if nodes[node][0] == 0 else "#f4f7fb"}" stroke="#888"/>')
        body += [f'<text x="{x + box_w / 2}" y="{y + 18 + 14 * k}" text-anchor="middle">{escape(line)}</text>' for k, line in enumerate(lines)]
    width = 16 + (max(columns) + 1) * (box_w + gap_x)
    height = 34 + max(len(m) for m in columns.values()) * (box_h + gap_y) + 8
    return _svg(body, title, height=height, width=width)
