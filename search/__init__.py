"""Search facade: `Searcher.load(index_dir)`, then `query`, `ask` and `similar`.

    from search import Searcher, Filters
    searcher = Searcher.load(indexer.default_index())
    hits = searcher.query("哪些乡镇聘请了法律顾问", top_k=5, filters=Filters(year_from=2021))
"""
from search.filters import FilterError, Filters
from search.searcher import MODES, Hit, ModelMismatch, QueryError, Searcher

__all__ = ["Searcher", "Hit", "Filters", "FilterError", "QueryError", "ModelMismatch", "MODES"]
