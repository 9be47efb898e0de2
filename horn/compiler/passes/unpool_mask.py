"""A ReLU mask applied to MaxPool's gradient moves before the MaxUnpool that spreads it.

Conv -> ReLU -> MaxPool trains through Mul(MaxUnpool(dY, I), Cast(Greater(r, 0))): the pooling
gradient placed at each window's maximum, then ReLU's mask over the whole (unpooled) input r.
MaxUnpool writes only the maxima, and r there equals the pooled output y, so the mask can be
taken on y instead, before unpooling: Cast(Greater(y, 0)) on a tensor 1/(window size) as big
(mnist_cnn: 1.2M elements instead of 4.7M per step). Everything MaxUnpool does not write is 0
either way, because the mask is a 0/1 tensor.
"""

from ..ir import apply


def _relu_mask_of(v):
    """(r, zero) when v is Cast(Greater(r, 0)) with a constant 0, else None."""
    cast = v.producer
    if cast is None or cast.op_type != "Cast":
        return None
    greater = cast.inputs[0].producer
    if greater is None or greater.op_type != "Greater":
        return None
    r, zero = greater.inputs
    if zero.const is None or zero.const.size != 1 or float(zero.const.reshape(-1)[0]) != 0.0:
        return None
    return r, zero, cast.attrs["to"]


def _unpool_of_pooled(v, r):
    """The MaxUnpool node producing v, if it spreads the gradient of a MaxPool over r."""
    unpool = v.producer
    if unpool is None or unpool.op_type != "MaxUnpool":
        return None
    pool = unpool.inputs[1].producer
    if pool is None or pool.op_type != "MaxPool" or pool.inputs[0] is not r or \
            len(pool.outputs) != 2 or unpool.inputs[1] is not pool.outputs[1]:
        return None
    return unpool, pool


def mask_before_unpool(graph):
    """Mul(MaxUnpool(g, I, S), Cast(Greater(r, 0))) -> MaxUnpool(Mul(g, Cast(Greater(y, 0))), I, S)
    where (y, I) = MaxPool(r)."""
    changed = False
    for node in graph.nodes():
        if node not in graph.nx or node.op_type != "Mul":
            continue
        for spread, mask in (node.inputs, node.inputs[::-1]):
            relu = _relu_mask_of(mask)
            found = relu and _unpool_of_pooled(spread, relu[0])
            # (The unpooled gradient must be shaped like the pooled input, and nothing broadcast.)
            if not found or not spread.shape == relu[0].shape == node.out.shape:
                continue
            (_, zero, to), (unpool, pool) = relu, found
            g, indices, *shape = unpool.inputs
            with graph.building():
                pooled_mask = apply("Cast", apply("Greater", pool.outputs[0], zero), to=to)
                moved = apply("MaxUnpool", apply("Mul", g, pooled_mask), indices, *shape, **unpool.attrs)
            graph.replace_uses(node.out, moved)
            graph.remove(node)
            changed = True
            break
    return graph, changed
