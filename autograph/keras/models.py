"""``ag.keras.models``."""
from ops.keras.engine import (  # noqa: F401
    Functional, Model, Sequential, clone_model, load_model, model_from_config, model_from_json,
    save_model,
)
