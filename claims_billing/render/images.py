"""Images embedded in a document (practice logo, scanned signature) as data: URIs.

Documents never fetch anything over the network, so images come in as bytes.
"""

import base64
from dataclasses import dataclass

from claims_billing.render.validation import ProblemCollector

# Larger images slow every render and bloat each PDF; a logo needs far less.
MAX_IMAGE_BYTES = 2 * 1024 * 1024

_SIGNATURES = (
	(b"\x89PNG\r\n\x1a\n", "image/png"),
	(b"\xff\xd8\xff", "image/jpeg"),
)


def image_type(data: bytes) -> str | None:
	"""The MIME type of PNG or JPEG bytes, judged by their magic number; None for anything else."""
	for magic, mime_type in _SIGNATURES:
		if data.startswith(magic):
			return mime_type
	return None


@dataclass(frozen=True)
class EmbeddedImage:
	"""PNG or JPEG bytes; the type is read from the bytes, not trusted from a file name."""

	data: bytes

	@property
	def data_uri(self) -> str:
		encoded = base64.b64encode(self.data).decode("ascii")
		return f"data:{image_type(self.data)};base64,{encoded}"


def check_image(collector: ProblemCollector, image: object, path: str) -> None:
	if image is None:
		return
	if not isinstance(image, EmbeddedImage) or not isinstance(image.data, bytes):
		collector.add(path, f"expected an EmbeddedImage holding bytes, got {type(image).__name__}")
		return
	if image_type(image.data) is None:
		collector.add(path, "is neither a PNG nor a JPEG image")
	elif len(image.data) > MAX_IMAGE_BYTES:
		collector.add(path, f"is {len(image.data):,} bytes; keep images under {MAX_IMAGE_BYTES:,} bytes")
