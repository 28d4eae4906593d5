"""pcanno.Error subclasses: code, path, line and byte offset, from real failures of the engine."""
import pickle

import pytest

import pcanno


def test_missing_file_is_not_found_and_a_file_not_found_error(tmp_path):
    missing = tmp_path / "nope.pcd"
    with pytest.raises(pcanno.NotFoundError) as info:
        pcanno.read_cloud(missing)
    error = info.value
    assert isinstance(error, pcanno.Error) and isinstance(error, FileNotFoundError)
    assert error.code == "not_found" and error.path == str(missing)
    assert str(missing) in str(error)


def test_empty_file_is_truncated_at_byte_zero(tmp_path):
    empty = tmp_path / "empty.pcd"
    empty.write_bytes(b"")
    with pytest.raises(pcanno.TruncatedError) as info:
        pcanno.read_cloud(empty)
    assert info.value.offset == 0 and info.value.path == str(empty)
    assert str(info.value).startswith(f"{empty}: byte 0: ")


def test_pcd_header_error_names_the_line(tmp_path):
    bad = tmp_path / "bad.pcd"
    bad.write_text("VERSION .7\nFIELDS x y z\nSIZE 4 4\nTYPE F F F\nCOUNT 1 1 1\nWIDTH 1\n"
                   "HEIGHT 1\nPOINTS 1\nDATA ascii\n1 2 3\n")
    with pytest.raises(pcanno.MalformedError) as info:
        pcanno.read_cloud(bad)
    assert info.value.code == "malformed"
    assert info.value.line == 3, str(info.value)
    assert str(info.value).startswith(f"{bad}:3: ")


def test_truncated_binary_names_the_byte(sample_data, tmp_path):
    src = (sample_data / "pcd/bunny.pcd").read_text()
    header = src[:src.index("DATA")] + "DATA binary\n"
    cut = tmp_path / "cut.pcd"
    cut.write_bytes(header.encode() + b"\0" * 100)  # 397 points of 12 bytes are declared
    with pytest.raises(pcanno.TruncatedError) as info:
        pcanno.read_cloud(cut)
    assert info.value.offset is not None and info.value.offset >= len(header)


def test_unknown_reader_id_is_unsupported(sample_data):
    with pytest.raises(pcanno.UnsupportedError) as info:
        pcanno.read_cloud(sample_data / "pcd/bunny.pcd", "xyz-format")
    assert "kitti-bin" in info.value.message


def test_errors_pickle_and_keep_their_fields():
    error = pcanno.errors._from_engine("malformed", "bad value", "a.txt", 7, -1)
    assert type(error) is pcanno.MalformedError
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), copy.path, copy.line, copy.offset) == (pcanno.MalformedError, "a.txt", 7,
                                                               None)
    assert isinstance(pcanno.errors._from_engine("invalid_argument", "x", None, -1, -1), ValueError)
