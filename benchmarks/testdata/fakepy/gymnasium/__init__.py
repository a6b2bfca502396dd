"""A stand-in for gymnasium: a 10-step env with two actions, and a batched copy of it."""
__version__ = "0.0-fake"


class _Discrete:
    def __init__(self, n, batch=None):
        self.n, self.batch, self.state = n, batch, 0

    def seed(self, s):
        self.state = s

    def sample(self):
        self.state = (self.state * 1103515245 + 12345) % 2**31
        a = self.state % self.n
        return a if self.batch is None else [a] * self.batch


class _Env:
    def __init__(self):
        self.action_space = _Discrete(2)
        self.t = 0

    @property
    def unwrapped(self):
        return self

    def reset(self, seed=None):
        self.t = 0
        return 0.0, {}

    def step(self, action):
        assert action in (0, 1), action
        self.t += 1
        return 0.0, 1.0, self.t >= 10, False, {}

    def close(self):
        pass


class _VecEnv:
    def __init__(self, n):
        self.n = n
        self.action_space = _Discrete(2, n)

    def reset(self, seed=None):
        return [0.0] * self.n, {}

    def step(self, actions):
        assert len(actions) == self.n
        return [0.0] * self.n, [1.0] * self.n, [False] * self.n, [False] * self.n, {}

    def close(self):
        pass


def make(env_id, **kwargs):
    if env_id != "Fake-v0":
        raise LookupError(f"Environment {env_id} doesn't exist.")
    return _Env()


def make_vec(env_id, num_envs=1, vectorization_mode="sync"):
    if env_id != "Fake-v0" or vectorization_mode not in ("sync", "vector_entry_point"):
        raise LookupError(f"{env_id} {vectorization_mode}")
    return _VecEnv(num_envs)
