import json

from incasso.domain.tests.vectors import BUNDLED, legal_vectors, shared_vectors_path


def test_the_bundled_copy_matches_the_shared_vectors_when_they_are_present():
    shared = shared_vectors_path()
    bundled = json.loads(BUNDLED.read_text(encoding="utf-8"))
    if shared.is_file():
        assert json.loads(shared.read_text(encoding="utf-8")) == bundled, (
            f"copy {shared} to {BUNDLED}: the worked examples changed"
        )
    assert legal_vectors() == (json.loads(shared.read_text(encoding="utf-8")) if shared.is_file() else bundled)


def test_every_kind_of_worked_example_is_there():
    vectors = legal_vectors()
    assert {"wik", "quote", "fourteen_day_letter", "dsr_deadline"} <= set(vectors)
    assert all(vectors[key] for key in ("wik", "quote", "fourteen_day_letter", "dsr_deadline"))
