"""The safetensors format by hand (8-byte header length, JSON header, raw little-endian float32 data), so that the
scripts beside this one need no package beyond numpy to read and write Hugging Face weight files."""
import json
import struct
from pathlib import Path

import numpy as np


def write_arrays(path, arrays, metadata):
    """Writes name → float32 array, in order, each tensor right after the one before."""
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in arrays.items():
        data = np.ascontiguousarray(t).astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def read_arrays(path):
    """name → float32 array of a safetensors file (F32 tensors only)."""
    raw = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    return {k: np.frombuffer(raw[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]], dtype="<f4").reshape(v["shape"])
            for k, v in header.items()}
