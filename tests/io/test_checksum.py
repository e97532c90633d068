"""`nebuladapt.io.checksum`: the one file digest."""

import hashlib

from nebuladapt.io.checksum import sha256_file


def test_sha256_file_matches_hashlib_across_block_boundaries(tmp_path):
    data = bytes(range(256)) * ((3 << 20) // 256 + 7)  # over three 1 MiB blocks, not a multiple
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()
    path.write_bytes(data[:-1])
    assert sha256_file(path) != hashlib.sha256(data).hexdigest()
