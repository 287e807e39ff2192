"""How the pictures read a graph: only through the node protocol of ``stepgrad.graph``.

A node is anything with ``inputs``, ``op``, ``data`` and ``grad`` (and an
optional ``label``): a scalar ``Value`` or a ``Tensor``. Nothing here imports
an engine, so the drawing code can never depend on an engine's insides.

``GraphIndex`` numbers the nodes by their place in the topological order, so
the same graph always gets the same names (``n0``, ``n1``, ...): never ``id()``,
which changes from run to run.
"""

import numbers
from collections.abc import Mapping

import numpy as np

from stepgrad.graph import topological_order


class GraphIndex:
    """The nodes ``root`` depends on, each with a stable position and a name.

    >>> from stepgrad import Value
    >>> x = Value(2.0, label="x")
    >>> index = GraphIndex(x * x)
    >>> [index.dot_name(n) for n in index.order]
    ['n0', 'n1']
    """

    def __init__(self, root, params=None):
        require_node(root, "root")
        self.root = root
        self.order = topological_order(root)
        self._position = {id(node): i for i, node in enumerate(self.order)}
        self._param_names = parameter_names(params)

    def __len__(self):
        return len(self.order)

    def __contains__(self, node):
        return id(node) in self._position

    def position(self, node):
        return self._position[id(node)]

    def dot_name(self, node):
        return f"n{self._position[id(node)]}"

    def name(self, node):
        """What a learner calls the node: its parameter name, else its label, else ''."""
        return self._param_names.get(id(node)) or getattr(node, "label", "") or ""

    def kind(self, node):
        """'output', 'op', 'parameter' or 'input'.

        A parameter is a leaf named in ``params=``, or a tensor leaf that
        requires grad (the leaves PyTorch would give a ``.grad``).
        """
        if node is self.root:
            return "output"
        if node.inputs:
            return "op"
        if id(node) in self._param_names or getattr(node, "requires_grad", False) is True:
            return "parameter"
        return "input"

    def consumers(self):
        """For each position, the positions of the nodes that use it as an input."""
        users = [[] for _ in self.order]
        for i, node in enumerate(self.order):
            for parent in node.inputs:
                users[self._position[id(parent)]].append(i)
        return users

    def describe(self, node, precision=4):
        """A short phrase naming the node in an explanation."""
        name = self.name(node)
        if name:
            return name
        if node.inputs:
            return f"the {node.op} node" if not is_tensor(node) else f"the {node.op} result"
        if is_tensor(node):
            return f"the input of shape {shape_text(node.data.shape)}"
        return f"the input {format_number(node.data, precision)}"


def require_node(node, what):
    if not all(hasattr(node, attribute) for attribute in ("inputs", "op", "data", "grad")):
        raise TypeError(
            f"{what} must be a node of a computational graph (a stepgrad Value or "
            f"Tensor, with .inputs, .op, .data and .grad), got {type(node).__name__} "
            f"{node!r}. Pass the result of a computation, for example y = x * x."
        )


def parameter_names(params):
    """``{id(node): name}`` from a dict, ``(name, node)`` pairs, or nodes.

    ``model.named_parameters()`` gives pairs; a plain list of nodes keeps each
    node's own label.
    """
    if params is None:
        return {}
    items = params.items() if isinstance(params, Mapping) else params
    names = {}
    for item in items:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            name, node = item
        else:
            name, node = getattr(item, "label", "") or "", item
        require_node(node, f"params entry {name!r}" if name else "each entry of params")
        names[id(node)] = name
    return names


def is_tensor(node):
    return isinstance(node.data, np.ndarray)


def as_array(x):
    """The numpy array inside a gradient or tensor, whatever holds it."""
    if x is None or isinstance(x, np.ndarray):
        return x
    if hasattr(x, "detach"):  # a torch tensor
        return x.detach().cpu().numpy()
    inner = getattr(x, "data", None)
    if isinstance(inner, np.ndarray):
        return inner
    return np.asarray(x)


def format_number(x, precision=4):
    """A number with ``precision`` decimals; very small or large ones in e-notation.

    >>> format_number(2.0), format_number(-0.0), format_number(1.5e-9)
    ('2.0000', '0.0000', '1.5000e-09')
    """
    x = float(x)
    if x != 0 and (abs(x) < 10.0 ** (-precision) or abs(x) >= 1e6):
        return f"{x:.{precision}e}"
    text = f"{x:.{precision}f}"
    # -0.0000 would draw a sign the number does not have
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def shape_text(shape):
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def format_array(array, precision=4, max_values=6):
    """Small arrays as rows of numbers; big ones as their shape only.

    Formatted here rather than by numpy's printer, whose spacing differs
    between numpy releases (drawings must be byte-identical everywhere).
    """
    array = np.asarray(array)
    if array.ndim == 0:
        return format_number(array, precision)
    if array.size > max_values or array.ndim > 2:
        return None
    if array.ndim == 1:
        return "[" + ", ".join(format_number(v, precision) for v in array) + "]"
    rows = ("[" + ", ".join(format_number(v, precision) for v in row) + "]" for row in array)
    return "[" + "\n ".join(rows) + "]"


def format_grad(grad, precision=4, max_values=6):
    """A gradient as text: a number, a small array, or its shape.

    >>> format_grad(np.ones(2)), format_grad(np.ones((4, 4)))
    ('[1.0000, 1.0000]', 'an array of shape (4, 4)')
    """
    if grad is None:
        return "none yet"
    if isinstance(grad, numbers.Real):
        return format_number(grad, precision)
    array = as_array(grad)
    text = format_array(array, precision, max_values)
    return text if text is not None else f"an array of shape {shape_text(array.shape)}"


def format_grad_inline(grad, precision=4):
    """A gradient for a sentence: on one line, values only when there are few."""
    return " ".join(format_grad(grad, precision, max_values=3).split())
