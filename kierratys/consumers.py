from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import live
from .roles import WAREHOUSE


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """One socket per open page. The server picks the groups; clients cannot."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        self.groups_joined = await self._groups_for(user)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        # Clients only listen; a ping keeps proxies from closing idle sockets.
        if content == {"event": "ping"}:
            await self.send_json({"event": "pong", "data": {}})

    async def live_event(self, message):
        await self.send(text_data=message["text"])

    @staticmethod
    async def _groups_for(user) -> list[str]:
        roles = {name async for name in user.groups.values_list("name", flat=True)}
        groups = [live.CATALOGUE_GROUP, live.user_group(user.pk)]
        if user.unit_id:
            groups.append(live.unit_group(user.unit_id))
        if WAREHOUSE in roles:
            groups.append(live.WAREHOUSE_GROUP)
        return groups
