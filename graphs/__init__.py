"""LangGraph graphs: state and reducers, the researcher subgraph, the main research graph."""
