from django.http import HttpRequest

from kam.users import roles


def roles_context(request: HttpRequest) -> dict[str, bool]:
    user = request.user
    return {
        "is_account_manager": roles.is_account_manager(user),
        "is_sales_director": roles.is_sales_director(user),
        "is_admin_role": roles.is_admin(user),
    }
