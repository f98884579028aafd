"""Trainee photos: the upload check and a placeholder for demo data (docs/spec.md §3, §7, §9).

A photo is personal data and ends up on a certificate, so an upload is judged by its content, not
its name: only real JPEG or PNG images within the size and dimension limits are kept, and they are
re-encoded so that nothing but the pixels survives (no EXIF location, camera serial or comments).
"""

import io
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png"}
CONTENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}

# A 1-inch ID photo (一寸照) is 25 × 35 mm: 295 × 413 pixels at 300 dpi.
PLACEHOLDER_SIZE = (295, 413)
FONT_DIR = Path("/usr/share/fonts/opentype/noto")


def checked_photo(upload) -> ContentFile:
    """The upload re-encoded without metadata, or ValidationError saying what is wrong with it."""
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            _("The photo is %(size)s; it may be at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(settings.PHOTO_MAX_BYTES)},
            code="photo_too_large",
        )
    image_format, size = _identify(upload)
    _check_dimensions(*size)
    return ContentFile(_reencoded(upload, image_format), name=f"photo.{ACCEPTED_FORMATS[image_format]}")


def _identify(upload) -> tuple[str, tuple[int, int]]:
    """Format and size read from the file's content; the name and the browser's type are ignored."""
    not_an_image = ValidationError(
        _("This file is not a photo: upload a JPEG or PNG image."), code="photo_not_an_image"
    )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image_format, size = image.format, image.size
            image.verify()
    except Image.DecompressionBombError:
        raise _too_large_dimensions() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise not_an_image from None
    if image_format not in ACCEPTED_FORMATS:
        raise ValidationError(
            _("Only JPEG and PNG photos are accepted; this one is %(format)s.") % {"format": image_format},
            code="photo_wrong_type",
        )
    return image_format, size


def _check_dimensions(width: int, height: int) -> None:
    min_width, min_height = settings.PHOTO_MIN_PIXELS
    max_width, max_height = settings.PHOTO_MAX_PIXELS
    if width < min_width or height < min_height:
        raise ValidationError(
            _("The photo is %(width)s × %(height)s pixels; it needs at least %(min_width)s × %(min_height)s.")
            % {"width": width, "height": height, "min_width": min_width, "min_height": min_height},
            code="photo_too_small",
        )
    if width > max_width or height > max_height:
        raise _too_large_dimensions(width, height)


def _too_large_dimensions(width: int | None = None, height: int | None = None) -> ValidationError:
    max_width, max_height = settings.PHOTO_MAX_PIXELS
    if width is None:
        message = _("The photo may be at most %(max_width)s × %(max_height)s pixels.")
    else:
        message = _("The photo is %(width)s × %(height)s pixels; it may be at most %(max_width)s × %(max_height)s.")
    return ValidationError(
        message % {"width": width, "height": height, "max_width": max_width, "max_height": max_height},
        code="photo_too_big",
    )


def _reencoded(upload, image_format: str) -> bytes:
    """Decode and encode again: only the pixels are kept, turned upright as the camera meant."""
    upload.seek(0)
    try:
        with Image.open(upload) as original:
            image = ImageOps.exif_transpose(original)
            image = _flattened(image)
    except (OSError, SyntaxError, ValueError):
        # verify() passed but decoding failed: a truncated or damaged file.
        raise ValidationError(
            _("The photo file is damaged or incomplete: export it again and upload the new file."),
            code="photo_damaged",
        ) from None
    image.info = {}  # EXIF, ICC, XMP and text chunks live here; nothing of it is written back
    output = io.BytesIO()
    if image_format == "JPEG":
        image.save(output, format="JPEG", quality=90, optimize=True)
    else:
        image.save(output, format="PNG", optimize=True)
    return output.getvalue()


def _flattened(image: Image.Image) -> Image.Image:
    """RGB (or greyscale); a transparent background becomes white, as on a printed ID photo."""
    if image.mode in ("RGB", "L"):
        return image.copy()
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def content_type_of(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return CONTENT_TYPES.get(extension, "application/octet-stream")


def discard(name: str) -> None:
    """Remove a replaced photo from storage: an old picture of a person is not kept for nothing."""
    if name and default_storage.exists(name):
        default_storage.delete(name)


# The placeholder: a neutral head-and-shoulders silhouette on the pale blue of an ID photo.

_SCALE = 3  # drawn three times larger and scaled down, for smooth edges
_BACKGROUND_TOP = (233, 241, 250)
_BACKGROUND_BOTTOM = (198, 216, 236)
_SILHOUETTE = (142, 163, 189)
_LABEL = (255, 255, 255)


def make_placeholder_photo(name: str = "") -> ContentFile:
    """A 295 × 413 PNG that looks like a blank 1-inch ID photo, with the surname on it when a CJK
    font is installed (first character of a Chinese name, last word of a Latin one)."""
    width, height = PLACEHOLDER_SIZE[0] * _SCALE, PLACEHOLDER_SIZE[1] * _SCALE
    image = _gradient(width, height)
    silhouette = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(silhouette)
    centre = width // 2
    # Shoulders: the top of a wide ellipse that runs off the bottom edge.
    draw.ellipse((int(-width * 0.04), int(height * 0.69), int(width * 1.04), int(height * 1.45)), fill=255)
    # Neck, then the head above it.
    draw.rounded_rectangle(
        (centre - int(width * 0.085), int(height * 0.5), centre + int(width * 0.085), int(height * 0.74)),
        radius=int(width * 0.04),
        fill=255,
    )
    draw.ellipse(
        (centre - int(width * 0.215), int(height * 0.16), centre + int(width * 0.215), int(height * 0.58)), fill=255
    )
    silhouette = silhouette.filter(ImageFilter.GaussianBlur(_SCALE * 0.6))
    image.paste(Image.new("RGB", (width, height), _SILHOUETTE), mask=silhouette)
    _draw_surname(image, _surname(name), centre, int(height * 0.86))
    image = image.resize(PLACEHOLDER_SIZE, Image.Resampling.LANCZOS)
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return ContentFile(output.getvalue(), name="placeholder.png")


def _gradient(width: int, height: int) -> Image.Image:
    column = Image.new("RGB", (1, height))
    for y in range(height):
        t = y / max(height - 1, 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(_BACKGROUND_TOP, _BACKGROUND_BOTTOM)))
    return column.resize((width, height))


def _surname(name: str) -> str:
    name = (name or "").strip()
    if not name:
        return ""
    return name.split()[-1] if " " in name else name[0]


def _draw_surname(image: Image.Image, text: str, centre_x: int, centre_y: int) -> None:
    font = _cjk_font(size=34 * _SCALE) if text else None
    if font is None:
        return
    ImageDraw.Draw(image).text((centre_x, centre_y), text, font=font, fill=_LABEL, anchor="mm")


@lru_cache(maxsize=4)
def _cjk_font(size: int) -> ImageFont.FreeTypeFont | None:
    """Noto Sans CJK SC when installed; no font (and so no text) otherwise."""
    path = FONT_DIR / "NotoSansCJK-Regular.ttc"
    if not path.exists():
        candidates = sorted(FONT_DIR.glob("*.tt[cf]")) + sorted(FONT_DIR.glob("*.otf")) if FONT_DIR.is_dir() else []
        if not candidates:
            return None
        path = candidates[0]
    faces = []
    for index in range(12):  # a .ttc holds one face per script; pick the Simplified Chinese one
        try:
            faces.append(ImageFont.truetype(str(path), size, index=index))
        except OSError:
            break
    for face in faces:
        family = face.getname()[0]
        if family and family.endswith(" SC"):
            return face
    return faces[0] if faces else None
