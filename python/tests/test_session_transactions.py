"""Nested `with session.transaction(...)` blocks: the outermost one commits or rolls back, all or
nothing; an inner failure caught inside the outer block still rolls everything back and says so;
closing the session inside a block does not hide the block's own exception."""
import pytest

import pcanno


def session():
    doc = pcanno.Annotations()
    for i in range(3):
        doc.add_frame(str(i))
    s = pcanno.Session.create(doc)
    s.create_track([1, 2, 0, 4, 2, 1.5, 0.3], 0, label="Car")
    return s


def centres(s):
    doc = s.annotations
    return sorted(tuple(t.box(f).center) for t in doc.tracks for f in t.frames)


def test_nested_blocks_that_succeed_are_one_undo_step_named_by_the_outer():
    s = session()
    before = centres(s)
    with s.transaction("Outer"):
        s.create_track([5, 5, 0, 4, 2, 1.5, 0], 1, label="Car")
        with s.transaction("Inner"):
            s.create_track([9, 9, 0, 4, 2, 1.5, 0], 2, label="Car")
        assert s.in_transaction
        s.create_track([7, 7, 0, 4, 2, 1.5, 0], 2, label="Car")
    assert not s.in_transaction and s.undo_name == "Outer"
    assert len(centres(s)) == len(before) + 3
    s.undo()
    assert centres(s) == before and s.undo_name == "Create box"


def test_an_inner_failure_caught_by_the_outer_block_rolls_everything_back():
    s = session()
    before = centres(s)
    with pytest.raises(pcanno.ConflictError) as caught:
        with s.transaction("Outer"):
            s.create_track([5, 5, 0, 4, 2, 1.5, 0], 1, label="Car")
            try:
                with s.transaction("Inner"):
                    s.create_track([9, 9, 0, 4, 2, 1.5, 0], 2, label="Car")
                    raise ValueError("bad box")
            except ValueError:
                assert s.in_transaction  # the outer transaction is still open, doomed
            s.create_track([7, 7, 0, 4, 2, 1.5, 0], 2, label="Car")
    message = str(caught.value)
    assert "'Outer' was rolled back" in message and "'Inner'" in message
    assert "ValueError: bad box" in message
    assert centres(s) == before  # nothing of either block is left
    assert not s.in_transaction and s.undo_name == "Create box"
    # the session is clean for the next transaction
    with s.transaction("Next"):
        s.create_track([3, 3, 0, 4, 2, 1.5, 0], 1, label="Car")
    assert s.undo_name == "Next" and len(centres(s)) == len(before) + 1


def test_an_inner_failure_that_propagates_rolls_everything_back():
    s = session()
    before = centres(s)
    with pytest.raises(KeyError, match="inner"):
        with s.transaction("Outer"):
            s.create_track([5, 5, 0, 4, 2, 1.5, 0], 1, label="Car")
            with s.transaction("Inner"):
                s.create_track([9, 9, 0, 4, 2, 1.5, 0], 2, label="Car")
                raise KeyError("inner")
    assert centres(s) == before and not s.in_transaction and s.undo_name == "Create box"


def test_closing_inside_a_block_keeps_the_blocks_exception():
    s = session()
    with pytest.raises(KeyError, match="user error"):
        with s.transaction("C"):
            s.create_track([5, 5, 0, 4, 2, 1.5, 0], 1, label="Car")
            s.close()
            raise KeyError("user error")
    s = session()
    with pytest.raises(ValueError, match="closed inside the transaction 'C'"):
        with s.transaction("C"):
            s.close()
    assert repr(s) == "<pcanno.Session closed>"


def test_a_transaction_object_is_entered_once_at_a_time():
    s = session()
    t = s.transaction("T")
    with t:
        with pytest.raises(ValueError, match="already open"):
            t.__enter__()
    assert s.undo_name == "Create box" and not s.in_transaction
    with t:  # and again after it ended
        s.create_track([5, 5, 0, 4, 2, 1.5, 0], 1, label="Car")
    assert s.undo_name == "T"


def test_an_inner_exception_without_a_str_is_named_by_its_type():
    class Opaque(Exception):
        def __str__(self):
            raise RuntimeError("no str")

    s = session()
    before = centres(s)
    with pytest.raises(pcanno.ConflictError, match="'Inner' raised Opaque"):
        with s.transaction("Outer"):
            try:
                with s.transaction("Inner"):
                    s.create_track([9, 9, 0, 4, 2, 1.5, 0], 2, label="Car")
                    raise Opaque()
            except Opaque:
                pass
    assert centres(s) == before
