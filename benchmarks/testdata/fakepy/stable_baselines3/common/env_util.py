class _VecEnv:
    def __init__(self, env_id, n_envs, seed, env_kwargs):
        self.env_id, self.n_envs, self.seed, self.env_kwargs = env_id, n_envs, seed, env_kwargs


def make_vec_env(env_id, n_envs=1, seed=None, env_kwargs=None):
    return _VecEnv(env_id, n_envs, seed, env_kwargs)
