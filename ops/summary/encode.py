"""NumPy values to TensorBoard ``Summary.Value`` protos, one encoder per plugin.

The layouts are the ones TensorFlow 2 writes and TensorBoard's dashboards read: every value
is a tensor summary whose metadata names its plugin (``scalars``, ``histograms``, ``text``,
``images``). Imported only when something is written, so only then is ``tensorboard`` needed.
"""
from __future__ import annotations

import io

import numpy as np
from tensorboard.compat.proto import summary_pb2, tensor_pb2, tensor_shape_pb2, types_pb2
from tensorboard.plugins.histogram import metadata as histogram_metadata
from tensorboard.plugins.image import metadata as image_metadata
from tensorboard.plugins.scalar import metadata as scalar_metadata
from tensorboard.plugins.text import metadata as text_metadata

DEFAULT_BUCKET_COUNT = 30   # TensorFlow's and TensorBoard's default for histograms

# NumPy dtype kind+size -> TensorProto dtype; strings (object/bytes/str arrays) are DT_STRING.
_DTYPES = {
    "f2": types_pb2.DT_HALF, "f4": types_pb2.DT_FLOAT, "f8": types_pb2.DT_DOUBLE,
    "i1": types_pb2.DT_INT8, "i2": types_pb2.DT_INT16, "i4": types_pb2.DT_INT32,
    "i8": types_pb2.DT_INT64, "u1": types_pb2.DT_UINT8, "u2": types_pb2.DT_UINT16,
    "u4": types_pb2.DT_UINT32, "u8": types_pb2.DT_UINT64, "b1": types_pb2.DT_BOOL,
    "c8": types_pb2.DT_COMPLEX64, "c16": types_pb2.DT_COMPLEX128,
}


def _as_bytes(x) -> bytes:
    return x if isinstance(x, bytes) else str(x).encode("utf-8")


def tensor_proto(array) -> tensor_pb2.TensorProto:
    """A ``TensorProto`` holding ``array`` (numbers little-endian in ``tensor_content``)."""
    array = np.asarray(array)
    shape = tensor_shape_pb2.TensorShapeProto(
        dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=d) for d in array.shape])
    if array.dtype.kind in "OSU":
        return tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, tensor_shape=shape,
                                      string_val=[_as_bytes(x) for x in array.ravel()])
    code = _DTYPES.get(f"{array.dtype.kind}{array.dtype.itemsize}")
    if code is None:
        raise TypeError(f"a summary cannot hold {array.dtype} data")
    little = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
    return tensor_pb2.TensorProto(dtype=code, tensor_shape=shape,
                                  tensor_content=little.tobytes())


def _value(tag: str, metadata, array) -> summary_pb2.Summary.Value:
    return summary_pb2.Summary.Value(tag=tag, metadata=metadata, tensor=tensor_proto(array))


# ---- one encoder per plugin ------------------------------------------------------------------

def scalar(tag: str, data: np.ndarray, description: str) -> summary_pb2.Summary.Value:
    """A 0-d float32 tensor, as ``tf.summary.scalar`` writes it."""
    metadata = scalar_metadata.create_summary_metadata(None, description)
    return _value(tag, metadata, np.asarray(data, dtype=np.float32))


def histogram_buckets(data: np.ndarray, bucket_count: int) -> np.ndarray:
    """TensorFlow's histogram layout: ``[bucket_count, 3]`` float64 rows ``[left, right,
    count]`` of equal-width buckets from the minimum to the maximum (the last bucket closed).

    No data gives zero rows of zeros; a single distinct value gives buckets of zero width
    with every count in the last. Non-finite values are left out: they have no bucket."""
    data = np.asarray(data, dtype=np.float64).reshape(-1)
    data = data[np.isfinite(data)]
    if bucket_count == 0:
        return np.zeros((0, 3))
    if data.size == 0:
        return np.zeros((bucket_count, 3))
    low, high = data.min(), data.max()
    counts = np.zeros(bucket_count)
    if low == high:
        counts[-1] = data.size
        edges = np.full(bucket_count, low)
        return np.stack([edges, edges, counts], axis=1)
    width = (high - low) / bucket_count
    index = np.minimum(np.floor((data - low) / width).astype(np.int64), bucket_count - 1)
    counts = np.bincount(index, minlength=bucket_count).astype(np.float64)
    edges = np.linspace(low, high, bucket_count + 1)
    edges[-1] = high   # exact, whatever linspace's rounding
    return np.stack([edges[:-1], edges[1:], counts], axis=1)


def histogram(tag: str, data: np.ndarray, description: str,
              buckets=None) -> summary_pb2.Summary.Value:
    """The ``[k, 3]`` bucket tensor of the "histograms" plugin (``tf.summary.histogram``)."""
    count = DEFAULT_BUCKET_COUNT if buckets is None else buckets
    metadata = histogram_metadata.create_summary_metadata(None, description)
    return _value(tag, metadata, histogram_buckets(data, count))


def text(tag: str, data: np.ndarray, description: str) -> summary_pb2.Summary.Value:
    """A string tensor of any shape (``tf.summary.text``; TensorBoard renders Markdown)."""
    metadata = text_metadata.create_summary_metadata(None, description)
    return _value(tag, metadata, np.asarray(data, dtype=object))


def _to_uint8(images: np.ndarray) -> np.ndarray:
    if images.dtype == np.uint8:
        return images
    if images.dtype.kind == "f":
        # tf.image.convert_image_dtype(saturate=True): [0, 1] scaled by 255.5, then clipped.
        return np.clip(np.floor(images.astype(np.float64) * 255.5), 0, 255).astype(np.uint8)
    raise TypeError(f"images must be uint8 or floating point in [0, 1], got {images.dtype}")


def _png(image: np.ndarray) -> bytes:
    from PIL import Image   # Pillow comes with tensorboard
    buffer = io.BytesIO()
    Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image).save(buffer, "PNG")
    return buffer.getvalue()


def image(tag: str, data: np.ndarray, description: str,
          max_outputs: int = 3) -> summary_pb2.Summary.Value:
    """The "images" plugin layout: a string tensor ``[width, height, png_0, png_1, ...]`` of
    the first ``max_outputs`` images of a ``[k, h, w, c]`` batch (``tf.summary.image``)."""
    images = _to_uint8(np.asarray(data))[:max_outputs]
    height, width = images.shape[1], images.shape[2]
    row = [str(width).encode(), str(height).encode()] + [_png(im) for im in images]
    metadata = image_metadata.create_summary_metadata(None, description)
    return _value(tag, metadata, np.array(row, dtype=object))


def raw(tag: str, data: np.ndarray, description: str,
        metadata: bytes = b"") -> summary_pb2.Summary.Value:
    """Any tensor with caller-given serialized ``SummaryMetadata`` (``tf.summary.write``)."""
    parsed = summary_pb2.SummaryMetadata.FromString(metadata)
    if description and not parsed.summary_description:
        parsed.summary_description = description
    return _value(tag, parsed, data)


ENCODERS = {"scalars": scalar, "histograms": histogram, "text": text, "images": image,
            "raw": raw}


def summary_value(plugin: str, tag: str, data: np.ndarray, description: str,
                  params: dict) -> summary_pb2.Summary.Value:
    return ENCODERS[plugin](tag, data, description, **params)
