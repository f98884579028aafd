"""The base of every API view: roles, key access, and `Idempotency-Key` on POST."""

from rest_framework import generics
from rest_framework.views import APIView

from .. import idempotency
from ..permissions import KeyAccessAllows, OfficerOnly, StaffOrOfficer


class IdempotentPostMixin:
    """Runs a POST that carries an Idempotency-Key through api.idempotency (once per key)."""

    def dispatch(self, request, *args, **kwargs):
        # DRF's APIView.dispatch, with the handler's run wrapped for idempotent POSTs.
        self.args, self.kwargs = args, kwargs
        request = self.initialize_request(request, *args, **kwargs)
        self.request = request
        self.headers = self.default_response_headers
        try:
            self.initial(request, *args, **kwargs)
            method = request.method.lower()
            handler = getattr(self, method, self.http_method_not_allowed)
            if method not in self.http_method_names:
                handler = self.http_method_not_allowed
            key = request.headers.get(idempotency.HEADER)
            if request.method == "POST" and key is not None:
                response = idempotency.respond_once(request, key, lambda: self._run(handler, request, args, kwargs))
            else:
                response = handler(request, *args, **kwargs)
        except Exception as exc:
            response = self.handle_exception(exc)
        self.response = self.finalize_response(request, response, *args, **kwargs)
        return self.response

    def _run(self, handler, request, args, kwargs):
        try:
            response = handler(request, *args, **kwargs)
        except Exception as exc:
            response = self.handle_exception(exc)
        return self.finalize_response(request, response, *args, **kwargs)


class StaffOrOfficerView(IdempotentPostMixin, APIView):
    permission_classes = [StaffOrOfficer, KeyAccessAllows]


class StaffOrOfficerListView(IdempotentPostMixin, generics.GenericAPIView):
    permission_classes = [StaffOrOfficer, KeyAccessAllows]


class OfficerView(IdempotentPostMixin, APIView):
    permission_classes = [OfficerOnly]


class OfficerListView(IdempotentPostMixin, generics.GenericAPIView):
    permission_classes = [OfficerOnly]
