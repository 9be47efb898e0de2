"""Scan outputs nobody reads are not computed."""

from .dce import eliminate_dead_code


def prune_scan_outputs(graph):
    """Drop the stacked outputs of Scan nodes that no node and no graph output reads (a loop
    writes every stacked output on every iteration, whether or not it is used)."""
    changed = False
    outputs = {id(o) for o in graph.outputs}
    for node in graph.nodes():
        if node.op_type != "Scan":
            continue
        body = node.attrs["body"]
        n = len(body.inputs) - node.attrs["num_scan_inputs"]
        read = {id(v) for c in graph.nx.successors(node) for v in c.inputs if v is not None} | outputs
        unused = [k for k in range(n, len(node.outputs)) if id(node.outputs[k]) not in read]
        if not unused:
            continue
        directions = list(node.attrs.get("scan_output_directions") or [0] * (len(node.outputs) - n))
        keep = [k for k in range(len(node.outputs)) if k not in unused]
        body.outputs = [body.outputs[k] for k in keep]
        node.attrs["scan_output_directions"] = [directions[k - n] for k in keep if k >= n]
        if "history" in node.attrs:
            node.attrs["history"] -= sum(1 for k in unused if k < node.attrs["history"])
        node.outputs = [node.outputs[k] for k in keep]
        for i, o in enumerate(node.outputs):
            o.index = i
        eliminate_dead_code(body)  # what only the dropped outputs needed
        changed = True
    return graph, changed
