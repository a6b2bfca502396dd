class BaseCallback:
    def __init__(self):
        self.num_timesteps, self.locals, self.model = 0, {}, None
