"""``Sequential``: layers applied one after another, as ``torch.nn.Sequential``."""

from collections import OrderedDict

from stepgrad.nn.module import Module


class Sequential(Module):
    """Runs its modules in order, each one's output the next one's input.

        >>> import stepgrad.nn as nn
        >>> model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
        >>> [name for name, _ in model.named_parameters()]
        ['0.weight', '0.bias', '2.weight', '2.bias']

    Given one ``OrderedDict``, its keys name the layers instead of 0, 1, 2...
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            named = modules[0].items()
        else:
            named = ((str(index), module) for index, module in enumerate(modules))
        for name, module in named:
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential takes modules, but entry {name} is a {type(module).__name__}; "
                    f"use layers such as nn.Linear(...) or nn.ReLU()"
                )
            self.add_module(name, module)

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, index):
        modules = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(modules[index]))
        try:
            return modules[index][1]
        except IndexError:
            raise IndexError(
                f"index {index} is out of range for a Sequential of {len(modules)} modules"
            ) from None

    def append(self, module):
        """Add ``module`` at the end; returns self."""
        self.add_module(str(len(self)), module)
        return self
