class ReLU:
    pass


class Tanh:
    pass
