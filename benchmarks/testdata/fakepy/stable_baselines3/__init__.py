"""A stand-in for stable_baselines3: models record their arguments (to $FAKE_SB3_OUT as JSON) and
learn by feeding the callback one episode of return 500 every 10 steps."""
import json
import os

__version__ = "0.0-fake"


def _plain(v):
    if isinstance(v, type):
        return v.__name__
    if callable(v):
        return {"schedule": [v(1.0), v(0.0)]}  # value at the start and at the end
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


class _Model:
    def __init__(self, policy, env, seed=None, verbose=0, **kwargs):
        self.env, self.num_timesteps = env, 0
        with open(os.environ["FAKE_SB3_OUT"], "w") as f:
            json.dump({"class": type(self).__name__, "policy": policy, "seed": seed,
                       "kwargs": _plain(kwargs), "env": _plain(vars(env))}, f)

    def learn(self, total_timesteps, callback=None):
        callback.model = self
        for t in range(1, total_timesteps + 1):
            self.num_timesteps = callback.num_timesteps = t
            callback.locals = {"infos": [{"episode": {"r": 500.0, "l": 10}} if t % 10 == 0 else {}]}
            callback._on_step()
        return self


class DQN(_Model):
    pass


class PPO(_Model):
    pass
