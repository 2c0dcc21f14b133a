from .roles import is_manager, is_salesperson


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_manager": False, "is_salesperson": False}
    return {"is_manager": is_manager(user), "is_salesperson": is_salesperson(user)}
