import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dlcourse import attribution_plots  # noqa: E402

rng = np.random.default_rng(0)
IMAGES = rng.uniform(size=(2, 8, 8, 1))
MAPS = {"saliency": rng.normal(size=(2, 8, 8)), "Grad-CAM": rng.uniform(size=(2, 8, 8, 1))}


def images_of(ax):
    return ax.get_images()


def test_grid_has_an_input_column_and_one_column_per_method():
    fig = attribution_plots.attribution_grid(IMAGES, MAPS, signed={"saliency"},
                                             overlay={"Grad-CAM"}, row_titles=["a", "b"],
                                             title="t")
    panels = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert len(panels) == 2 * 3
    assert [panels[k].get_title() for k in range(3)] == ["input", "saliency", "Grad-CAM"]
    assert panels[3].get_ylabel() == "b"
    assert fig._suptitle.get_text() == "t"


def test_signed_maps_are_symmetric_and_magnitudes_start_at_zero():
    fig = attribution_plots.attribution_grid(IMAGES, MAPS, signed=["saliency"])
    saliency, cam = fig.axes[1], fig.axes[2]
    assert images_of(saliency)[0].get_clim() == (-1.0, 1.0)
    assert images_of(saliency)[0].get_cmap().name == attribution_plots.SIGNED_CMAP
    assert images_of(cam)[0].get_clim() == (0.0, 1.0)
    shown = images_of(saliency)[0].get_array()
    assert np.isclose(np.max(np.abs(shown)), 1.0)


def test_overlay_draws_the_map_over_the_input():
    fig = attribution_plots.attribution_grid(IMAGES, MAPS, overlay=["Grad-CAM"])
    layers = images_of(fig.axes[2])
    assert len(layers) == 2 and layers[1].get_alpha() == pytest.approx(0.55)
    assert len(images_of(fig.axes[1])) == 1


def test_scale_to_unit_divides_by_the_largest_absolute_value():
    assert np.allclose(attribution_plots.scale_to_unit([[-4.0, 2.0]]), [[-1.0, 0.5]])
    assert np.all(attribution_plots.scale_to_unit(np.zeros((2, 2))) == 0)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"images": np.zeros((2, 3))}, ValueError, "images must be a non-empty batch"),
    ({"maps": {}}, TypeError, "maps="),
    ({"maps": {"m": np.zeros((3, 8, 8))}}, ValueError, r"maps\['m'\] has shape"),
    ({"maps": {"m": np.zeros((2, 8, 8, 3))}}, ValueError, "single-channel"),
    ({"signed": ["nope"]}, ValueError, r"signed names \['nope'\]"),
    ({"overlay": "Grad-CAM"}, TypeError, "overlay='Grad-CAM'"),
    ({"row_titles": ["one"]}, ValueError, "row_titles has 1 entries for 2 images"),
    ({"overlay_alpha": 0}, ValueError, "overlay_alpha=0"),
])
def test_grid_rejects_bad_input(kwargs, error, message):
    arguments = {"images": IMAGES, "maps": MAPS, **kwargs}
    with pytest.raises(error, match=message):
        attribution_plots.attribution_grid(**arguments)


def test_scale_to_unit_rejects_an_empty_map():
    with pytest.raises(ValueError, match="attribution is empty"):
        attribution_plots.scale_to_unit([])
