# Stand-in for opentelemetry.semconv (constants only), which wandb 0.30.0 imports and this machine's
# package mirror lacks. Used by make_golden.py --semconv-stub; see its docstring.
import importlib.abc, importlib.util, sys, types

class _Any(str):
    def __call__(self, *a, **k):
        return _Any(self)
    def __getattr__(self, n):
        if n.startswith("__"):
            raise AttributeError(n)
        return _Any(f"{self}.{n}")

class _StubModule(types.ModuleType):
    def __getattr__(self, n):
        if n.startswith("__"):
            raise AttributeError(n)
        return _Any(n.lower().replace("_", "."))

class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        if name == "opentelemetry.semconv" or name.startswith("opentelemetry.semconv."):
            return importlib.util.spec_from_loader(name, self, is_package=True)
    def create_module(self, spec):
        return _StubModule(spec.name)
    def exec_module(self, m):
        m.__path__ = []

def install():
    sys.meta_path.insert(0, _Finder())
