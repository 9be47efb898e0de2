"""Dead-code elimination."""

import networkx as nx


def eliminate_dead_code(graph):
    """Remove every node that no graph output depends on."""
    live = set()
    for o in graph.outputs:
        if o.producer is not None and o.producer not in live:
            live |= nx.ancestors(graph.nx, o.producer) | {o.producer}
    dead = [n for n in graph.nx if n not in live]
    graph.nx.remove_nodes_from(dead)
    return graph, bool(dead)
