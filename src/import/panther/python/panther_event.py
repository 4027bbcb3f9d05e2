"""A stand-in for Panther's event object (panther_core's PantherEvent), for running generated rules.

Written from panther_core's immutable.py and enriched_event.py (0.5.x): the event is a read-only
mapping whose key lookup tries the exact key first and then the first key that is equal after
.lower(); nested objects come back as read-only case-insensitive mappings and arrays as read-only
sequences (never dict or list); deep_get returns the default when any key on the way is missing
or not a mapping, or when the value is None; deep_walk descends through arrays, reading keys
from the raw containers (case-sensitively), and returns all / the first / the last value found.
"""

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from copy import deepcopy
from functools import reduce


class ImmutableContainerMixin:
    _CONVERSIONS = {}

    @classmethod
    def register(cls):
        cls._CONVERSIONS[cls.mutable_type()] = cls

    def __init__(self, container):
        self._container = self._shallow_copy(container)

    def copy(self):
        return self.mutable_type()(deepcopy(self._container))

    def __getitem__(self, item):
        return self._ensure_immutable(self._container[item])

    def _ensure_immutable(self, value):
        immutable_type = self.__class__._CONVERSIONS.get(type(value))
        if immutable_type is not None:
            return immutable_type(value)
        return value

    def __repr__(self):
        return f"{self.__class__.__name__}({self._container})"

    def __len__(self):
        return self._container.__len__()

    def __iter__(self):
        return iter(self._ensure_immutable(element) for element in self._container)


class ImmutableCaseInsensitiveDict(ImmutableContainerMixin, Mapping):
    def __init__(self, container):
        super().__init__(container)
        self._case_insensitive_keymap = {}
        self._keymap_key_iterator = None
        self._keymap_fully_built = False

    @classmethod
    def mutable_type(cls):
        return dict

    def _shallow_copy(self, obj):
        if hasattr(type(obj), "copy"):
            return obj.copy()
        return obj

    def to_dict(self):
        return self.copy()

    def __getitem__(self, item):
        if item in self._container or not self._container:
            return super().__getitem__(item)
        original_key = self._case_insensitive_lookup(item)
        if original_key is None:
            raise KeyError(item)
        return super().__getitem__(original_key)

    def _case_insensitive_lookup(self, key):
        lowercase_key = key.lower()
        original_key = self._case_insensitive_keymap.get(lowercase_key)
        if original_key is not None:
            return original_key
        if self._keymap_fully_built:
            return None
        return self._build_case_insensitive_keymap(lowercase_key)

    def _build_case_insensitive_keymap(self, lowercase_key):
        keymap = self._case_insensitive_keymap
        if self._keymap_key_iterator is None:
            self._keymap_key_iterator = iter(self._container)
        matched_key = None
        for original_key in self._keymap_key_iterator:
            case_insensitive_key = original_key.lower()
            mapped_key = keymap.setdefault(case_insensitive_key, original_key)
            if case_insensitive_key == lowercase_key and mapped_key == original_key:
                matched_key = original_key
                break
        if len(self._case_insensitive_keymap) == len(self._container):
            self._keymap_fully_built = True
        return matched_key


class ImmutableList(ImmutableContainerMixin, Sequence):
    @classmethod
    def mutable_type(cls):
        return list

    def _shallow_copy(self, obj):
        return tuple(obj)

    def __eq__(self, other):
        if isinstance(other, self.__class__):
            return self._container == other._container
        if isinstance(other, (tuple, list)):
            return len(self._container) == len(other) and self._container == tuple(other)
        return False

    def as_list(self):
        return self.copy()


ImmutableList.register()
ImmutableCaseInsensitiveDict.register()


class PantherEvent(ImmutableCaseInsensitiveDict):
    def __init__(self, event, data_model=None):
        super().__init__(event)
        self.data_model = data_model

    def deep_get(self, *keys, default=None):
        out = reduce(
            lambda d, key: d.get(key, default) if isinstance(d, Mapping) else default,
            keys,
            self,
        )
        if out is None:
            return default
        return out

    def deep_walk(self, *keys, default=None, return_val="all"):
        def _empty_list(sub_obj):
            return (
                all(_empty_list(next_obj) for next_obj in sub_obj)
                if isinstance(sub_obj, Sequence) and not isinstance(sub_obj, str)
                else False
            )

        obj = self._container
        if not keys:
            return default if _empty_list(obj) or obj is None else obj
        current_key = keys[0]
        found = OrderedDict()
        if isinstance(obj, Mapping):
            next_key = PantherEvent(obj.get(current_key, default))
            return (
                next_key.deep_walk(*keys[1:], default=default, return_val=return_val)
                if next_key is not None
                else default
            )
        if isinstance(obj, Sequence) and not isinstance(obj, str):
            for item in obj:
                next_item = PantherEvent(item)
                value = next_item.deep_walk(*keys, default=default, return_val=return_val)
                if value is not None:
                    if isinstance(value, Sequence) and not isinstance(value, str):
                        for sub_item in value:
                            found[sub_item] = None
                    else:
                        found[value] = None
        found_list = list(found.keys())
        if not found_list:
            return default
        return {
            "first": found_list[0],
            "last": found_list[-1],
            "all": found_list[0] if len(found_list) == 1 else found_list,
        }.get(return_val, "all")
