"""``ag.keras.utils``."""
from ops.keras.progbar import Progbar  # noqa: F401
from ops.keras.generic_utils import (  # noqa: F401
    CustomObjectScope, custom_object_scope, deserialize_keras_object, get_custom_objects,
    get_registered_name, get_registered_object, register_keras_serializable,
    serialize_keras_object,
)
from ops.keras.engine import pack_x_y_sample_weight, unpack_x_y_sample_weight  # noqa: F401
