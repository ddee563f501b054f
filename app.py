"""The Hub's Chalice app: registers the blueprints. Nothing else lives here."""

from chalice import Chalice, CORSConfig

from chalicelib.api import consultations, debates, groups, invitations, me
from chalicelib.api.http import install_error_handling
from chalicelib.settings import get_settings

get_settings()  # refuse to start on an invalid configuration (e.g. a dev secret in the cloud)

app = Chalice(app_name="hub")
# Bearer tokens, no cookies: any origin may call the API from a browser.
app.api.cors = CORSConfig(
    allow_origin="*",
    allow_headers=["Authorization", "Content-Type", "Accept-Language"],
    max_age=600,
)
install_error_handling(app)

for blueprint in (
    groups.blueprint,
    me.blueprint,
    invitations.blueprint,
    consultations.blueprint,
    debates.blueprint,
):
    app.register_blueprint(blueprint, url_prefix="/v1")
