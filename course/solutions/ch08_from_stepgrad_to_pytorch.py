"""Reference solutions for chapter 8, "From stepgrad to PyTorch".

Try the exercises first. ``tests/exercises/test_reference_solutions.py`` runs
every answer here through its check, so each exercise is known to be solvable.
"""

from stepgrad.exercises import porting


# Exercise 8.1: load_state_dict copies the values into target's own parameters
# (in place, under no_grad), which is exactly what is wanted. Assigning source's
# parameters or arrays to target would make the two models share them.
def copy_parameters(source, target):
    target.load_state_dict(source.state_dict())


# Exercise 8.2: only the library passed in is used, and x0 becomes a float, since
# only floating-point tensors can require grad.
def slope(torch, f, x0):
    x = torch.tensor(float(x0), requires_grad=True)
    f(x).backward()
    return x.grad.item()


# Which check each answer goes to.
ANSWERS = {
    porting.check_copy_parameters: (copy_parameters,),
    porting.check_portable_slope: (slope,),
}
