from django.contrib import admin

from .models import StorageLocation, Warehouse


class StorageLocationInline(admin.TabularInline):
    model = StorageLocation
    extra = 1


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "opening_hours", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "street_address"]
    inlines = [StorageLocationInline]


@admin.register(StorageLocation)
class StorageLocationAdmin(admin.ModelAdmin):
    list_display = ["code", "warehouse", "description"]
    list_filter = ["warehouse"]
    search_fields = ["code", "description"]
    list_select_related = ["warehouse"]
