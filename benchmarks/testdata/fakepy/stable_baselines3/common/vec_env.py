class VecNormalize:
    def __init__(self, venv, norm_obs=True, norm_reward=True, clip_obs=10.0, clip_reward=10.0, gamma=0.99, training=True):
        self.venv, self.norm_obs, self.norm_reward, self.training = venv.__dict__, norm_obs, norm_reward, training
        self.clip_obs, self.clip_reward, self.gamma = clip_obs, clip_reward, gamma
        self.obs_rms = None
