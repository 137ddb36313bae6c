"""Polish names (issue 12): the KPWr reader of benchmarks/multilingual.py and the morfeusz2 reading.

Every text here is self-written (CC0); KPWr's own text stays out of the repository.
"""

from __future__ import annotations

from benchmarks.multilingual import kpwr_docs

#: Two documents in KPWr's n82 IOB layout (orth, base, ctag, label), one of them in wikinews/.
KPWR_SNIPPET = """\
-DOCSTART CONFIG FEATURES orth base ctag
-DOCSTART FILE dap/00000001
Wizyta\twizyta\tsubst:sg:nom:f\tO
w\tw\tprep:loc:nwok\tO
Gdańsku\tGdańsk\tsubst:sg:loc:m3\tB-nam_loc_gpe_city

Premier\tpremier\tsubst:sg:nom:m1\tO
Jan\tJan\tsubst:sg:nom:m1\tB-nam_liv_person
Nowak\tNowak\tsubst:sg:nom:m1\tI-nam_liv_person
(\t(\tinterp\tO
PO\tPO\tbrev:npun\tB-nam_org_political_party
)\t)\tinterp\tO
odwiedził\todwiedzić\tpraet:sg:m1:perf\tO
Pomorze\tPomorze\tsubst:sg:acc:n\tB-nam_loc_gpe_admin1
i\ti\tconj\tO
Wisłę\tWisła\tsubst:sg:acc:f\tB-nam_loc_hydronym_river
.\t.\tinterp\tO

-DOCSTART FILE wikinews/00000002
Anna\tAnna\tsubst:sg:nom:f\tB-nam_liv_person
śpi\tspać\tfin:sg:ter:imperf\tO
.\t.\tinterp\tO
"""


def test_kpwr_reader_rebuilds_text_and_gold_offsets_and_holds_wikinews_out(tmp_path):
    path = tmp_path / "kpwr.iob"
    path.write_text(KPWR_SNIPPET, encoding="utf-8")
    [(folder, text, spans)] = kpwr_docs(path)
    assert folder == "dap"
    # a heading without a final mark ends its line; no space before ")" "." nor after "("
    assert text == "Wizyta w Gdańsku\nPremier Jan Nowak (PO) odwiedził Pomorze i Wisłę."
    assert [(label, text[s:e]) for label, s, e, _ in spans] == [
        ("CITY", "Gdańsku"),
        ("PERSON", "Jan Nowak"),
        ("STATE_OR_PROVINCE", "Pomorze"),
        ("LOCATION", "Wisłę"),
    ]
    assert all(text[s:e] == surface for _, s, e, surface in spans)
    [(held_out, _, [(label, s, e, surface)])] = kpwr_docs(path, "wikinews")
    assert (held_out, label, surface) == ("wikinews", "PERSON", "Anna")
