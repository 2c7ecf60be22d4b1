"""dlcourse: the companion package of a deep-learning course in TensorFlow/Keras.

Importing the package has no side effects and does not import TensorFlow; each module
imports what it needs when it is used. ``dlcourse.setup(PROFILE)`` opens every notebook.
"""

from dlcourse.environment import setup

__version__ = "0.1.0"
__all__ = ["setup", "__version__"]
