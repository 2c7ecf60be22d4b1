"""Attribution maps beside their inputs: one row per image, one column per explanation method.

Chapter 14 draws saliency, SmoothGrad, integrated gradients and Grad-CAM this way, for a trained
and for a randomised model. Every map is scaled to its own largest absolute value, so the colours
compare pixels within one map, not across maps or methods.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np

SIGNED_CMAP = "RdBu_r"        # red: pushes the score up, blue: pushes it down, white: zero
MAGNITUDE_CMAP = "magma"      # dark: none, bright: the most


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def _as_images(name: str, array) -> np.ndarray:
    """(n, h, w), (n, h, w, 1) or (n, h, w, 3) → float array; single channels lose their axis."""
    array = np.asarray(array, dtype=float)
    if array.ndim == 4 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim not in (3, 4) or len(array) == 0 or (array.ndim == 4 and array.shape[-1] != 3):
        raise ValueError(f"{name} must be a non-empty batch of shape (n, h, w), (n, h, w, 1) or "
                         f"(n, h, w, 3); got shape {np.shape(array)}")
    return array


def scale_to_unit(attribution) -> np.ndarray:
    """One map divided by its largest absolute value (an all-zero map stays zero)."""
    attribution = np.asarray(attribution, dtype=float)
    if attribution.size == 0:
        raise ValueError("attribution is empty; pass a map with at least one value")
    peak = np.max(np.abs(attribution))
    return attribution / peak if peak > 0 else np.zeros_like(attribution)


def _names_in(what: str, names: Collection[str], maps: Mapping) -> set:
    if isinstance(names, str):
        raise TypeError(f"{what}={names!r} must be a collection of map names, not one string")
    unknown = set(names) - set(maps)
    if unknown:
        raise ValueError(f"{what} names {sorted(unknown)}, which are not in maps; "
                         f"maps has {list(maps)}")
    return set(names)


def attribution_grid(images, maps: Mapping[str, object], *, signed: Collection[str] = (),
                     overlay: Collection[str] = (), row_titles: Sequence[str] | None = None,
                     title: str | None = None, overlay_alpha: float = 0.55):
    """Inputs in the first column, then one column per entry of ``maps`` (name → (n, h, w)).

    Names in ``signed`` use a diverging map from −1 to +1 (red positive, blue negative); the
    others show magnitudes from 0 to 1. Names in ``overlay`` are drawn translucent over the
    input (for coarse maps such as Grad-CAM). Each map is scaled by ``scale_to_unit``.
    """
    images = _as_images("images", images)
    if not isinstance(maps, Mapping) or not maps:
        raise TypeError(f"maps={maps!r} must be a non-empty dict of method name -> maps")
    arrays = {name: _as_images(f"maps[{name!r}]", array) for name, array in maps.items()}
    for name, array in arrays.items():
        if array.shape != images.shape[:3]:
            raise ValueError(f"maps[{name!r}] has shape {array.shape}; it must be "
                             f"{images.shape[:3]}: one single-channel map per image, same height "
                             "and width (sum the channels of an RGB attribution first)")
    signed, overlay = _names_in("signed", signed, maps), _names_in("overlay", overlay, maps)
    if row_titles is not None and len(row_titles) != len(images):
        raise ValueError(f"row_titles has {len(row_titles)} entries for {len(images)} images")
    if not 0.0 < float(overlay_alpha) <= 1.0:
        raise ValueError(f"overlay_alpha={overlay_alpha!r} must be in (0, 1]")

    plt = _pyplot()
    nrows, ncols = len(images), len(arrays) + 1
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.7 * ncols, 1.7 * nrows + 0.9),
                             squeeze=False)
    shown = {}
    for row in range(nrows):
        image = images[row]
        image_cmap = "gray" if image.ndim == 2 else None
        axes[row, 0].imshow(image, cmap=image_cmap)
        for col, (name, array) in enumerate(arrays.items(), start=1):
            ax = axes[row, col]
            unit = scale_to_unit(array[row])
            if name in overlay:
                ax.imshow(image, cmap=image_cmap)
            cmap, limits = ((SIGNED_CMAP, (-1.0, 1.0)) if name in signed
                            else (MAGNITUDE_CMAP, (0.0, 1.0)))
            shown[name] = ax.imshow(np.abs(unit) if name not in signed else unit, cmap=cmap,
                                    vmin=limits[0], vmax=limits[1],
                                    alpha=overlay_alpha if name in overlay else None)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0, 0].set_title("input", fontsize=9)
    for col, name in enumerate(arrays, start=1):
        axes[0, col].set_title(name, fontsize=9)
        bar = fig.colorbar(shown[name], ax=axes[:, col], orientation="horizontal",
                           fraction=0.04, pad=0.02)
        bar.set_label("signed, / max |map|" if name in signed else "/ max |map|", fontsize=7)
        bar.ax.tick_params(labelsize=6)
    if row_titles is not None:
        for row, text in enumerate(row_titles):
            axes[row, 0].set_ylabel(text, fontsize=8)
    if title:
        fig.suptitle(title)
    return fig
